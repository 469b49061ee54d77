package io.herald.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep ticks a connection when the deadline its last tick returned has come, or when it asked
 * through {@code soon}, and otherwise leaves it alone; a connection with bytes queued is ticked every
 * period and counted in the queued bytes until its queue is empty. A ping of 400 ms makes the period
 * 100 ms (a pass every 25 ms).
 */
class LivenessSweepsTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final LivenessSweeps sweeps = new LivenessSweeps(Duration.ofMillis(400));

    /** Counts its ticks; each returns now + {@link #wait} ns. */
    private static final class Counted implements OpenConnection {
        final AtomicInteger ticks = new AtomicInteger();
        volatile long wait;
        volatile long queued;
        private int slot = -1;

        Counted(Duration wait) {
            this.wait = wait.toNanos();
        }

        @Override
        public long tick(long nowNanos, long nowMillis) {
            ticks.incrementAndGet();
            return nowNanos + wait;
        }

        @Override
        public long queuedBytes() {
            return queued;
        }

        @Override
        public void drainAfter(long delayMillis) {
        }

        @Override
        public int sweepSlot() {
            return slot;
        }

        @Override
        public void sweepSlot(int slot) {
            this.slot = slot;
        }
    }

    @AfterEach
    void stop() throws Exception {
        sweeps.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private void onLoop(Runnable task) throws Exception {
        loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    private void register(Counted... cs) throws Exception {
        onLoop(() -> {
            for (Counted c : cs) {
                sweeps.register(c, loop);
            }
        });
    }

    private void soon(Counted c) throws Exception {
        onLoop(() -> sweeps.soon(c, loop));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting until " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aConnectionIsTickedOnceWhenItJoinsThenOnlyWhenItsDeadlineComesOrItAsks() throws Exception {
        Counted far = new Counted(Duration.ofMinutes(1));
        Counted near = new Counted(Duration.ofMillis(300));
        register(far, near);
        await("both are ticked once", () -> far.ticks.get() == 1 && near.ticks.get() >= 1);
        // five periods: the far one is not due, the near one is ticked about every 300-400 ms
        Thread.sleep(1_500);
        assertThat(far.ticks).hasValue(1);
        assertThat(near.ticks.get()).isBetween(3, 7);
        soon(far);
        await("the far one is ticked after soon", () -> far.ticks.get() == 2);
        Thread.sleep(500);
        assertThat(far.ticks).hasValue(2);
    }

    @Test
    void aConnectionWithBytesQueuedIsTickedEveryPeriodAndCountedUntilItsQueueIsEmpty() throws Exception {
        Counted c = new Counted(Duration.ofMinutes(1));
        Counted other = new Counted(Duration.ofMinutes(1));
        register(c, other);
        await("the first ticks", () -> c.ticks.get() == 1 && other.ticks.get() == 1);
        c.queued = 700;
        soon(c);
        await("the queue is counted", () -> sweeps.queuedBytes() == 700);
        int before = c.ticks.get();
        Thread.sleep(600);
        // about six periods, each with a tick while bytes are queued
        assertThat(c.ticks.get() - before).isGreaterThanOrEqualTo(3);
        c.queued = 0;
        await("the empty queue is counted", () -> sweeps.queuedBytes() == 0);
        Thread.sleep(200);
        int settled = c.ticks.get();
        Thread.sleep(500);
        assertThat(c.ticks).hasValue(settled);
        assertThat(other.ticks).hasValue(1);
    }

    @Test
    void aConnectionThatLeavesIsNotTickedAndTheOneMovedIntoItsSlotKeepsItsDeadline() throws Exception {
        Counted leaving = new Counted(Duration.ofMillis(0));
        Counted moved = new Counted(Duration.ofMinutes(1));
        register(leaving, moved);
        await("both are ticked once", () -> leaving.ticks.get() >= 1 && moved.ticks.get() == 1);
        onLoop(() -> sweeps.unregister(leaving, loop));
        int left = leaving.ticks.get();
        Thread.sleep(500);
        assertThat(leaving.ticks).hasValue(left);
        assertThat(moved.ticks).hasValue(1);
        assertThat(moved.sweepSlot()).isZero();
    }
}
