package io.cellforge.app;

import io.cellforge.io.SpaceFiles;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import javafx.animation.AnimationTimer;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Point2D;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.stage.Stage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The designer's benchmark ({@code cellforge-app --bench}, under a display or Xvfb): the time to open the DARTS
 * evaluation network (20 cells) and lay it out, and the JavaFX frame intervals while a node is dragged and the
 * canvas panned. Prints one JSON object. Not a test: it measures the machine as much as the code.
 */
public final class DesignerBench extends Application {
    private static final int RUNS = 5;
    private static final int FRAMES = 180;

    private MainViewModel vm;
    private MainWindow window;
    private final StringBuilder json = new StringBuilder("{");

    public static void main(String[] args) {
        Application.launch(DesignerBench.class, args);
    }

    @Override
    public void start(Stage stage) throws Exception {
        vm = new MainViewModel(new Workspace(Files.createTempDirectory("cellforge-bench")));
        window = new MainWindow(vm, stage);
        stage.setScene(window.scene());
        stage.show();
        Thread t = new Thread(this::run, "bench");
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        try {
            Path file = resources().resolve("darts-eval.yaml");
            double[] open = new double[RUNS];
            double[] network = new double[RUNS];
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                SearchSpace s = Files.exists(file) ? SpaceFiles.readSpace(file).space() : Zoo.get("darts-eval").orElseThrow();
                onFx(() -> vm.documents().openSpace(s, null, null, List.of(), "bench"));
                nextFrame();
                open[i] = (System.nanoTime() - t0) / 1e6;
                long t1 = System.nanoTime();
                onFx(() -> vm.state().select(DocumentState.NETWORK));
                nextFrame();
                network[i] = (System.nanoTime() - t1) / 1e6;
                onFx(() -> vm.state().select("normal"));
                nextFrame();
            }
            field("space", "\"darts-eval (20 cells, from " + (Files.exists(file) ? file.getFileName() : "the zoo") + ")\"");
            field("open_and_layout_ms_median", fmt(median(open)));
            field("open_and_layout_ms_runs", Arrays.toString(Arrays.stream(open).map(x -> Math.round(x * 10) / 10.0).toArray()));
            field("network_view_ms_median", fmt(median(network)));

            // The busiest cell of the zoo: DARTS search, 14 LayerChoice edges with 8 candidates stacked.
            SearchSpace search = Zoo.get("darts-search").orElseThrow();
            onFx(() -> vm.documents().openSpace(search, null, null, List.of(), "bench"));
            nextFrame();
            onFx(() -> window.canvas().fit());
            nextFrame();
            double[] drag = frames(frame -> {
                Point2D c = window.canvas().nodeCentreInScene("n3");
                if (frame == 0) {
                    fire(MouseEvent.MOUSE_PRESSED, c.getX(), c.getY());
                }
                double dx = 3 * Math.sin(frame / 10.0);
                fire(MouseEvent.MOUSE_DRAGGED, c.getX() + dx, c.getY() + 2 * Math.cos(frame / 10.0));
                if (frame == FRAMES - 1) {
                    fire(MouseEvent.MOUSE_RELEASED, c.getX(), c.getY());
                }
            });
            report("drag_node_darts_search", drag);
            double[] pan = frames(frame -> window.canvas().pan(frame < FRAMES / 2 ? -4 : 4, 0));
            report("pan_darts_search", pan);
            onFx(() -> vm.documents().openSpace(Zoo.get("darts-eval").orElseThrow(), null, null, List.of(), "bench"));
            nextFrame();
            onFx(() -> vm.state().select(DocumentState.NETWORK));
            nextFrame();
            // A real search (darts-mini, quick look, 1 epoch) with the Search tab showing: the frames while it runs.
            onFx(() -> {
                vm.documents().openZoo("darts-mini");
                window.run("searchTab");
                window.search().epochsProperty().set(1);
                window.search().start(vm.state().spaceProperty().get(), null);
            });
            double[] during = frames(f -> f < 10 || window.search().runningProperty().get(), f -> { });
            report("during_search_darts_mini", during);
            field("search_steps_shown", String.valueOf(window.search().steps().size()));
            field("prism_order", "\"" + System.getProperty("prism.order", "default") + "\"");
            field("java", "\"" + System.getProperty("java.version") + "\"");
            field("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
            json.setLength(json.length() - 1);
            System.out.println(json.append("}"));
        } catch (Exception e) {
            System.err.println("bench failed: " + e);
        } finally {
            Platform.exit();
        }
    }

    private void report(String name, double[] intervals) {
        double[] s = intervals.clone();
        Arrays.sort(s);
        long slow = Arrays.stream(s).filter(x -> x > 33.4).count();
        field(name, String.format(Locale.ROOT, "{\"frames\": %d, \"interval_ms_p50\": %.2f, \"interval_ms_p95\": %.2f, "
                + "\"interval_ms_max\": %.2f, \"frames_over_33ms\": %d}", s.length, s[s.length / 2], s[(int) (s.length * 0.95)],
                s[s.length - 1], slow));
    }

    private void fire(javafx.event.EventType<MouseEvent> type, double x, double y) {
        var canvas = window.canvas();
        Point2D local = canvas.sceneToLocal(x, y);
        Point2D screen = canvas.localToScreen(local);
        canvas.fireEvent(new MouseEvent(type, local.getX(), local.getY(), screen.getX(), screen.getY(), MouseButton.PRIMARY, 1,
                false, false, false, false, true, false, false, false, false, false, null));
    }

    /** Runs an action at each of {@link #FRAMES} pulses and returns the intervals between the pulses, in ms. */
    private double[] frames(Consumer<Integer> action) throws InterruptedException {
        return frames(f -> f < FRAMES, action);
    }

    /** Runs an action at each pulse while {@code more} holds for the frame's number; the intervals, in ms. */
    private double[] frames(java.util.function.IntPredicate more, Consumer<Integer> action) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        List<Long> stamps = new ArrayList<>();
        onFx(() -> new AnimationTimer() {
            int frame;

            @Override
            public void handle(long now) {
                stamps.add(now);
                if (more.test(frame)) {
                    action.accept(frame++);
                } else {
                    stop();
                    done.countDown();
                }
            }
        }.start());
        done.await();
        double[] out = new double[stamps.size() - 1];
        for (int i = 1; i < stamps.size(); i++) {
            out[i - 1] = (stamps.get(i) - stamps.get(i - 1)) / 1e6;
        }
        return out;
    }

    private static void nextFrame() throws InterruptedException {
        CountDownLatch l = new CountDownLatch(1);
        Platform.runLater(() -> new AnimationTimer() {
            @Override
            public void handle(long now) {
                stop();
                l.countDown();
            }
        }.start());
        l.await();
    }

    private static void onFx(Runnable r) throws InterruptedException {
        CountDownLatch l = new CountDownLatch(1);
        Platform.runLater(() -> {
            try {
                r.run();
            } finally {
                l.countDown();
            }
        });
        l.await();
    }

    private static Path resources() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("resources/spaces"))) {
                return p.resolve("resources/spaces");
            }
        }
        return Path.of("resources/spaces");
    }

    private void field(String k, String v) {
        json.append('"').append(k).append("\": ").append(v).append(',');
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
