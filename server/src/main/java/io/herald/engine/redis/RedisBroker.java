package io.herald.engine.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.Broker;
import io.herald.engine.BrokerListener;
import io.herald.engine.ControlCommand;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.Publication;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out between nodes over Redis pub/sub: one Redis subscription per channel per node (the hub
 * asks once per channel with local subscribers), on the channel's fan-out channel, sharded against a
 * Redis Cluster. Publications are published there by the publish script, joins and leaves by
 * {@link #publishPresenceChange}; control commands go over one node-wide channel.
 *
 * <p>Messages on a fan-out channel start with a kind byte: {@code p} a publication from the publish
 * script ({@code p<epoch> <history entry>}), {@code f} a publication handed over whole
 * ({@code f<header JSON>\n<frame>}), {@code j}/{@code l} a join/leave ({@code j<client JSON>}).
 *
 * <p>After a lost connection Lettuce reconnects and re-subscribes every channel; Redis then confirms
 * each channel a second time, and that second confirmation is how this broker learns that delivery
 * was interrupted and is in effect again: it tells the listener, so subscribers resynchronise from
 * history instead of silently missing what was published in between. Thread-safe; the listener is
 * called on Lettuce's I/O threads.
 */
public final class RedisBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

    private final RedisShards shards;
    private final RedisKeys keys;
    /** Marks this broker's control commands so it can ignore its own. */
    private final String brokerId = UUID.randomUUID().toString();
    /** Set once by {@link #receiveNotes}; null: notes are dropped. */
    private volatile Consumer<byte[]> notes;
    /** Set once by {@link #start}; read by Lettuce threads. */
    private volatile BrokerListener listener;
    /**
     * Channels this node subscribed to or is still hearing confirmations for. Entries change only
     * inside {@code compute}, so each is updated by one thread at a time.
     */
    private final ConcurrentHashMap<ChannelName, Subscription> subscribed = new ConcurrentHashMap<>();

    /**
     * One channel's subscription state. {@code owed} counts SUBSCRIBE commands Redis has not
     * confirmed yet; a confirmation beyond those is a re-subscription after a reconnect. Kept after an
     * unsubscribe until the owed confirmations arrived, so a quick unsubscribe/subscribe is not
     * mistaken for a reconnect.
     */
    private static final class Subscription {
        int owed;
        volatile boolean active;
    }
    private volatile boolean closed;

    RedisBroker(RedisShards shards, RedisKeys keys) {
        this.shards = shards;
        this.keys = keys;
    }

    /** Sets the listener and subscribes the control channel; waits (up to 10 s) until that is in effect. */
    @Override
    public void start(BrokerListener l) {
        this.listener = l;
        for (RedisBackend b : shards.all()) {
            b.listen(new RedisBackend.Listener() {
                @Override
                public void message(String channel, byte[] message) {
                    if (!closed) {
                        dispatch(channel, message);
                    }
                }

                @Override
                public void subscribed(String channel) {
                    confirmed(channel);
                }
            });
        }
        try {
            shards.first().subscribeGlobal(keys.control()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the node still runs; control commands from other nodes arrive once Redis is back
            log.warn("could not subscribe to control commands on {}: {}", shards.first().name(), e.toString());
        }
    }

    @Override
    public CompletableFuture<Void> subscribe(ChannelName channel) {
        subscribed.compute(channel, (c, s) -> {
            Subscription out = s != null ? s : new Subscription();
            out.owed++;
            out.active = true;
            return out;
        });
        return failClearly(shards.forChannel(channel).subscribeChannel(keys.fanout(channel)), "subscribe");
    }

    @Override
    public CompletableFuture<Void> unsubscribe(ChannelName channel) {
        subscribed.computeIfPresent(channel, (c, s) -> {
            s.active = false;
            return s.owed > 0 ? s : null;
        });
        return failClearly(shards.forChannel(channel).unsubscribeChannel(keys.fanout(channel)), "unsubscribe");
    }

    @Override
    public CompletableFuture<Void> publish(Publication p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(p.frame().length + 64);
        out.write('f');
        out.writeBytes(JsonCodec.object(g -> {
            g.writeStringField("e", p.event());
            g.writeNumberField("o", p.offset());
            g.writeStringField("x", p.epoch());
            g.writeNumberField("t", p.timestampMillis());
            if (p.user() != null) {
                g.writeStringField("u", p.user());
            }
            if (p.excludeClient() != null) {
                g.writeStringField("s", p.excludeClient());
            }
        }));
        out.write('\n');
        out.writeBytes(p.frame());
        return publishTo(p.channel(), out.toByteArray());
    }

    @Override
    public CompletableFuture<Void> publishPresenceChange(ChannelName channel, ClientInfo client, boolean join) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(join ? 'j' : 'l');
        out.writeBytes(RedisPresenceStore.encode(client));
        return publishTo(channel, out.toByteArray());
    }

    private CompletableFuture<Void> publishTo(ChannelName channel, byte[] message) {
        RedisBackend b = shards.forChannel(channel);
        return failClearly(b.publishChannel(keys.fanout(channel), message).thenApply(n -> null), "publish");
    }

    @Override
    public CompletableFuture<Void> publishControl(ControlCommand command) {
        byte[] message = JsonCodec.object(g -> {
            g.writeStringField("n", brokerId);
            g.writeStringField("k", switch (command) {
                case ControlCommand.Subscribe s -> "subscribe";
                case ControlCommand.Unsubscribe u -> "unsubscribe";
                case ControlCommand.Disconnect d -> "disconnect";
            });
            if (command.user() != null) {
                g.writeStringField("u", command.user());
            }
            if (command.client() != null) {
                g.writeStringField("c", command.client());
            }
            ChannelName ch = switch (command) {
                case ControlCommand.Subscribe s -> s.channel();
                case ControlCommand.Unsubscribe u -> u.channel();
                case ControlCommand.Disconnect d -> null;
            };
            if (ch != null) {
                g.writeStringField("ch", ch.value());
            }
            if (command instanceof ControlCommand.Disconnect d) {
                g.writeBooleanField("r", d.reconnect());
                g.writeStringField("m", d.reason());
            }
        });
        return failClearly(shards.first().publishGlobal(keys.control(), message).thenApply(n -> null), "publish control");
    }

    /** A note rides the control channel as {@code #<broker id>\n<note>}, so control parsing never sees it. */
    @Override
    public CompletableFuture<Void> publishNote(byte[] note) {
        byte[] head = ("#" + brokerId + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[head.length + note.length];
        System.arraycopy(head, 0, message, 0, head.length);
        System.arraycopy(note, 0, message, head.length, note.length);
        return failClearly(shards.first().publishGlobal(keys.control(), message).thenApply(n -> null), "publish note");
    }

    @Override
    public void receiveNotes(Consumer<byte[]> receiver) {
        this.notes = receiver;
    }

    private void note(byte[] message) {
        int nl = 1;
        while (nl < message.length && message[nl] != '\n') {
            nl++;
        }
        Consumer<byte[]> receiver = notes;
        if (receiver == null || nl >= message.length
                || new String(message, 1, nl - 1, StandardCharsets.US_ASCII).equals(brokerId)) {
            return;
        }
        byte[] note = new byte[message.length - nl - 1];
        System.arraycopy(message, nl + 1, note, 0, note.length);
        receiver.accept(note);
    }

    private static <T> CompletableFuture<T> failClearly(CompletableFuture<T> f, String what) {
        return f.exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisScript.translate(what, e)));
    }

    /** A confirmation nobody asked for means Lettuce re-subscribed the channel after a reconnect. */
    private void confirmed(String name) {
        ChannelName channel = keys.channelOfFanout(name);
        if (channel == null) {
            return;
        }
        boolean[] resubscribed = new boolean[1];
        subscribed.computeIfPresent(channel, (c, s) -> {
            if (s.owed > 0) {
                s.owed--;
            } else {
                resubscribed[0] = s.active;
            }
            return s.active || s.owed > 0 ? s : null;
        });
        if (resubscribed[0] && !closed) {
            // per channel, so DEBUG: Lettuce logs the reconnect itself once, at INFO
            log.debug("delivery of {} resumed after a Redis reconnect; its subscribers resynchronise", channel);
            listener.onDeliveryInterrupted(channel);
        }
    }

    private boolean isSubscribed(ChannelName channel) {
        Subscription s = subscribed.get(channel);
        return s != null && s.active;
    }

    private void dispatch(String name, byte[] message) {
        try {
            if (name.equals(keys.control())) {
                if (message.length > 0 && message[0] == '#') {
                    note(message);
                } else {
                    control(message);
                }
                return;
            }
            ChannelName channel = keys.channelOfFanout(name);
            if (channel == null || message.length == 0 || !isSubscribed(channel)) {
                return;
            }
            switch (message[0]) {
                case 'p' -> listener.onPublication(scriptPublication(channel, message));
                case 'f' -> listener.onPublication(wholePublication(channel, message));
                case 'j', 'l' -> listener.onPresenceChange(channel,
                        RedisPresenceStore.decode(null, message, 1, message.length - 1), message[0] == 'j');
                default -> log.warn("ignoring a message of unknown kind on {}", name);
            }
        } catch (RuntimeException | IOException e) {
            // never let one bad message break the connection's other deliveries
            log.warn("ignoring an unreadable message on {}", name, e);
        }
    }

    private static Publication scriptPublication(ChannelName channel, byte[] message) {
        int space = 1;
        while (message[space] != ' ') {
            space++;
        }
        String epoch = new String(message, 1, space - 1, StandardCharsets.US_ASCII);
        byte[] entry = new byte[message.length - space - 1];
        System.arraycopy(message, space + 1, entry, 0, entry.length);
        return RedisHistoryStore.decode(channel, epoch, entry);
    }

    private static Publication wholePublication(ChannelName channel, byte[] message) throws IOException {
        int nl = 1;
        while (message[nl] != '\n') {
            nl++;
        }
        JsonNode h = JsonCodec.MAPPER.readTree(message, 1, nl - 1);
        byte[] frame = new byte[message.length - nl - 1];
        System.arraycopy(message, nl + 1, frame, 0, frame.length);
        JsonNode user = h.get("u");
        JsonNode skip = h.get("s");
        return new Publication(channel, h.get("e").textValue(), h.get("o").longValue(), h.get("x").textValue(),
                h.get("t").longValue(), user == null ? null : user.textValue(), frame, skip == null ? null : skip.textValue());
    }

    private void control(byte[] message) throws IOException {
        JsonNode m = JsonCodec.MAPPER.readTree(message);
        if (brokerId.equals(m.path("n").textValue())) {
            return;
        }
        String user = m.hasNonNull("u") ? m.get("u").textValue() : null;
        String client = m.hasNonNull("c") ? m.get("c").textValue() : null;
        ChannelName channel = m.hasNonNull("ch") ? ChannelName.of(m.get("ch").textValue()) : null;
        ControlCommand command = switch (m.path("k").asText()) {
            case "subscribe" -> new ControlCommand.Subscribe(user, client, channel);
            case "unsubscribe" -> new ControlCommand.Unsubscribe(user, client, channel);
            case "disconnect" -> new ControlCommand.Disconnect(user, client, m.path("r").asBoolean(false),
                    m.hasNonNull("m") ? m.get("m").textValue() : ControlCommand.Disconnect.DEFAULT_REASON);
            default -> null;
        };
        if (command != null) {
            listener.onControl(command);
        }
    }

    /** Stops delivering to the listener; the connections belong to the engine and close with it. */
    @Override
    public void close() {
        closed = true;
        subscribed.clear();
    }
}
