package io.cellforge.search;

/** Pause, resume, stop and steer a running search from another thread; it reacts between steps. */
public final class SearchControl {
    private volatile boolean stopped;
    private volatile boolean paused;
    private final java.util.concurrent.ConcurrentLinkedQueue<Steer> steers = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Asks the search to apply a steer before its next step (in the order asked). */
    public void steer(Steer s) {
        steers.add(s);
    }

    /** The steers asked for since the last call, oldest first. */
    java.util.List<Steer> takeSteers() {
        java.util.List<Steer> out = new java.util.ArrayList<>();
        Steer s;
        while ((s = steers.poll()) != null) {
            out.add(s);
        }
        return out;
    }

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
