package io.cellforge.cli;

import io.cellforge.adapt.AdaptException;
import io.cellforge.adapt.Adaptation;
import io.cellforge.data.DataBundle;
import io.cellforge.space.SearchSpace;

import java.io.PrintWriter;

/** The space `search` and `retrain` run on the data they are given: adapted to the data's shape and classes. */
final class DataFit {
    private DataFit() {
    }

    /**
     * {@code space} taking the images and classes of {@code data}, each change said on one line of {@code err};
     * with {@code strict}, data of another shape or with more classes are refused as they were before adapting.
     */
    static SearchSpace fit(SearchSpace space, DataBundle data, boolean strict, PrintWriter err) {
        SearchSpace fitted = space;
        if (!strict) {
            try {
                Adaptation a = Adaptation.toData(space, data.train().shape(), Math.max(data.train().classes(), data.test().classes()),
                        data.train().contextFeatures());
                a.changes().forEach(err::println);
                err.flush();
                fitted = a.space();
            } catch (AdaptException e) {
                throw new Main.UserError(e.getMessage() + "; give data of " + space.network().input() + " or another space");
            }
        }
        // What no adaptation mends: a test set of another shape, labels past the classes, no training images.
        String name = "space '" + fitted.name() + "'";
        data.misfit(fitted.network().input(), fitted.network().classes(), name).ifPresent(m -> {
            throw new Main.UserError(m);
        });
        return fitted;
    }
}
