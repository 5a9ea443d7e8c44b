package io.cellforge.app;

import io.cellforge.engine.Backend;
import io.cellforge.engine.NativeCache;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.util.Duration;

import java.io.IOException;
import java.util.Optional;

/**
 * The first start: JavaCPP unpacks the engine's native libraries (about 500 MB) into its cache before the engine
 * can run, which takes from seconds to minutes. This window shows how far it is, so the start does not look frozen;
 * once the cache holds them it is not shown again.
 */
final class EngineSplash {
    private EngineSplash() {
    }

    /** What this start will unpack, where it unpacks anything; empty once the cache is filled. */
    static Optional<NativeCache.Plan> pending() {
        try {
            NativeCache.Plan plan = NativeCache.planHere();
            return plan.needed() ? Optional.of(plan) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // a jar that cannot be read fails again, with its message, where the engine loads
        }
    }

    static String text(long done, long total) {
        return "Unpacking the engine (first start): " + (done >> 20) + " of " + (total >> 20) + " MB";
    }

    /**
     * Shows the splash, loads the engine on another thread (which unpacks), and runs {@code then} on the FX thread
     * when it has loaded or failed: a failure is reported again, as one line, where a search starts the engine.
     */
    static void unpackThen(NativeCache.Plan plan, Runnable then) {
        Stage splash = new Stage();
        splash.setTitle("Cellforge: unpacking the engine");
        Label label = new Label(text(0, plan.total()));
        ProgressBar bar = new ProgressBar(0);
        bar.setPrefWidth(420);
        VBox box = new VBox(12, new Label("Cellforge"), label, bar);
        box.setPadding(new Insets(24));
        splash.setScene(new Scene(box));
        Runnable update = () -> {
            long done = plan.done();
            label.setText(text(done, plan.total()));
            bar.setProgress(plan.total() == 0 ? 1 : (double) done / plan.total());
        };
        // the cache is read at each tick: what it shows is what is on disk, however fast the disk is
        Timeline ticks = new Timeline(new KeyFrame(Duration.millis(250), e -> update.run()));
        ticks.setCycleCount(Timeline.INDEFINITE);
        ticks.play();
        splash.show();
        Thread load = new Thread(() -> {
            try {
                Backend.init();
            } catch (RuntimeException | LinkageError e) {
                System.err.println("cellforge: the engine did not load: " + ErrorText.line(String.valueOf(e.getMessage())));
            }
            Platform.runLater(() -> {
                ticks.stop();
                splash.close();
                then.run();
            });
        }, "engine-unpack");
        load.setDaemon(true);
        load.start();
    }
}
