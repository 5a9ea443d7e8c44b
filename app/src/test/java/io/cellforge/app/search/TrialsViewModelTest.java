package io.cellforge.app.search;

import io.cellforge.space.SearchSpace;
import io.cellforge.trial.Constraint;
import io.cellforge.trial.DecisionSpace;
import io.cellforge.trial.Objective;
import io.cellforge.trial.Scores;
import io.cellforge.trial.Strategies;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialStrategy;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The trials of a run as the views hold them, without a window: which trial the cell canvas shows as they arrive. */
class TrialsViewModelTest {
    private final SearchSpace space = Zoo.get("darts-mini").orElseThrow();
    private final TrialStrategy proposals = Strategies.create("random", DecisionSpace.of(space), Objective.of(Scores.ACCURACY), 1);

    private Trial trial(int index, double accuracy, double params) {
        return new Trial(index, proposals.propose().orElseThrow(), new Scores(Map.of(Scores.ACCURACY, accuracy, Scores.PARAMS, params)), 1, index);
    }

    @Test
    void theCanvasFollowsTheBestFeasibleTrialSoFarUntilAPersonPicksAnother() {
        TrialsViewModel vm = new TrialsViewModel();
        vm.begin(space, new Objective(Scores.ACCURACY, List.of(Constraint.parse("params<=100")), false, 1), List.of(Scores.ACCURACY), 6);
        vm.add(List.of(trial(0, 0.9, 500)));
        assertNull(vm.selectedProperty().get(), "a trial that breaks the constraint is never the best shown");
        vm.add(List.of(trial(1, 0.5, 50), trial(2, 0.6, 60)));
        assertEquals(2, vm.selectedProperty().get().index());
        assertEquals(space.cells().keySet(), vm.selectedSpaceProperty().get().cells().keySet());
        assertFalse(vm.selectedSpaceProperty().get().cells().get("normal").edges().isEmpty());
        vm.add(List.of(trial(3, 0.7, 70)));
        assertEquals(3, vm.selectedProperty().get().index(), "a new best is shown");

        vm.select(1); // picked by a click
        vm.add(List.of(trial(4, 0.8, 80)));
        assertEquals(1, vm.selectedProperty().get().index(), "the pick stays");
        assertEquals(4, vm.best().index());
    }
}
