package io.cellforge.app.search;

import javafx.application.Platform;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The one executor of the Search tab's background work: searches, data previews, retraining. Work runs on its
 * daemon threads (an app that quits does not wait for a preview); what it returns, or the exception it threw,
 * is handed to the JavaFX thread.
 */
public final class SearchTasks {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cellforge-search-task-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private SearchTasks() {
    }

    /** Work that throws what a person can cause, checked or not. */
    @FunctionalInterface
    public interface Work<T> {
        T call() throws Exception;
    }

    /** Runs {@code work} off the JavaFX thread; then {@code done} or {@code failed} on it. */
    public static <T> Task submit(Work<T> work, Consumer<T> done, Consumer<Exception> failed) {
        Callable<Void> c = () -> {
            try {
                T v = work.call();
                Platform.runLater(() -> done.accept(v));
            } catch (Exception e) {
                Platform.runLater(() -> failed.accept(e));
            }
            return null;
        };
        return new Task(POOL.submit(c));
    }

    /** A piece of work under way. */
    public record Task(Future<?> future) {
        /** Waits at most {@code limit} for it to end (a search writing its checkpoint when the app quits). */
        public void await(Duration limit) {
            try {
                future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
                // it failed (reported where it was submitted) or is still under way: nothing more to wait for
            }
        }

        public boolean isDone() {
            return future.isDone();
        }
    }
}
