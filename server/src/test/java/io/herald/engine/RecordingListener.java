package io.herald.engine;

import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.Publication;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Records everything a broker delivers, in arrival order, for the contract suites. Waiting is by
 * polling against a deadline, so the same assertions hold for synchronous and asynchronous brokers.
 */
public final class RecordingListener implements BrokerListener {
    /** How long an asynchronous (e.g. Redis) broker gets to deliver before a test fails. */
    public static final Duration DEADLINE = Duration.ofSeconds(10);

    public record PresenceChange(ChannelName channel, ClientInfo client, boolean join) {
    }

    private final ConcurrentLinkedQueue<Publication> publications = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<PresenceChange> presenceChanges = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ControlCommand> controls = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ChannelName> interruptions = new ConcurrentLinkedQueue<>();

    @Override
    public void onPublication(Publication publication) {
        publications.add(publication);
    }

    @Override
    public void onPresenceChange(ChannelName channel, ClientInfo client, boolean join) {
        presenceChanges.add(new PresenceChange(channel, client, join));
    }

    @Override
    public void onControl(ControlCommand command) {
        controls.add(command);
    }

    @Override
    public void onDeliveryInterrupted(ChannelName channel) {
        interruptions.add(channel);
    }

    /** Channels whose delivery was reported interrupted, in order, with repeats. */
    public List<ChannelName> interruptions() {
        return List.copyOf(interruptions);
    }

    public List<Publication> publications(ChannelName channel) {
        return publications.stream().filter(p -> p.channel().equals(channel)).toList();
    }

    public List<PresenceChange> presenceChanges(ChannelName channel) {
        return presenceChanges.stream().filter(c -> c.channel().equals(channel)).toList();
    }

    public List<ControlCommand> controls() {
        return List.copyOf(controls);
    }

    /** Waits until {@code channel} has received at least {@code count} publications and returns them all. */
    public List<Publication> awaitPublications(ChannelName channel, int count) {
        await(() -> publications(channel).size() >= count,
                () -> "expected " + count + " publications on " + channel + ", got " + publications(channel).size());
        return publications(channel);
    }

    public List<PresenceChange> awaitPresenceChanges(ChannelName channel, int count) {
        await(() -> presenceChanges(channel).size() >= count,
                () -> "expected " + count + " presence changes on " + channel + ", got " + presenceChanges(channel));
        return presenceChanges(channel);
    }

    public ControlCommand awaitControl(Predicate<ControlCommand> matching) {
        await(() -> controls.stream().anyMatch(matching), () -> "expected a control command, got " + controls());
        return controls.stream().filter(matching).findFirst().orElseThrow();
    }

    /** Polls {@code condition} until it holds or {@link #DEADLINE} passes. */
    public static void await(BooleanSupplier condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(failure.get());
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
        }
    }
}
