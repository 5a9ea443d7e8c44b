package io.cellforge.app;

import javafx.application.Platform;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The one executor of the app's background work: opening files, checking and counting the space, recovery
 * copies, searches, data previews, retraining. Work runs on its daemon threads (an app that quits does not
 * wait for a preview); what it returns, or the exception it threw, is handed to the JavaFX thread.
 */
public final class Tasks {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cellforge-task-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private Tasks() {
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

    /**
     * Work that runs one piece after another in the order given, on the executor's threads: a document's checks
     * and recovery copies, where a later copy must never be overtaken by an earlier one.
     */
    public static final class Lane {
        private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

        /** Queues {@code r} after what was queued before; one that throws does not stop the ones after it. */
        public synchronized Future<Void> submit(Runnable r) {
            tail = tail.exceptionally(e -> null).thenRunAsync(r, POOL);
            return tail;
        }

        /** Waits until what was queued so far is done (for tests and the benchmark). */
        public void drain() throws InterruptedException, ExecutionException {
            submit(() -> { }).get();
        }
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
