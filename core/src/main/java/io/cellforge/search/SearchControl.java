package io.cellforge.search;

/** Pause, resume and stop a running search from another thread; it reacts between steps. */
public final class SearchControl {
    private volatile boolean stopped;
    private volatile boolean paused;

    public void stop() {
        stopped = true;
        synchronized (this) {
            notifyAll();
        }
    }

    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        synchronized (this) {
            notifyAll();
        }
    }

    public boolean isStopped() {
        return stopped;
    }

    public boolean isPaused() {
        return paused;
    }

    /** Blocks while paused; returns false when stopped. */
    boolean proceed() {
        synchronized (this) {
            while (paused && !stopped) {
                try {
                    wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopped = true;
                }
            }
        }
        return !stopped;
    }
}
