package io.herald.engine.redis;

import io.herald.engine.HookStore;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.WebhookEvent;
import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HookStore} in Redis: every key under one hash tag ({@link RedisKeys#hooks()}, on the
 * first deployment), each step one run of {@code hooks.lua}, so a change and the events it causes
 * are atomic and a node crash between steps loses nothing. Keys under the base {@code B}:
 * <ul>
 * <li>{@code B:alive} sorted set node → expiry; {@code B:m:<node>} hash of the node's entries
 *     ({@code o<channel>} occupancy, {@code p<channel> <client>} → presence info JSON)</li>
 * <li>{@code B:o:<channel>} set of occupying nodes; {@code B:u:<channel>} hash user → connections</li>
 * <li>per hook: {@code B:st:<hook>} channels announced occupied, {@code B:seq:<hook>} channel → last
 *     seq, {@code B:q:<hook>:<channel>} list of events ({@code seq time bit fields}),
 *     {@code B:r:<hook>} sorted set channel → when it may be claimed (now, a retry time or a lease's
 *     end), {@code B:a:<hook>} channel → failed attempts, {@code B:n:<hook>} events queued</li>
 * <li>{@code B:vac} sorted set {@code "<hook> <channel>"} → when its vacated check is due</li>
 * </ul>
 * A node re-announces every {@link #TICK_MILLIS}; one that missed the presence TTL is swept by any
 * survivor in pages of 100 entries (each page atomic, so concurrent sweepers remove each entry once).
 * A node whose announcement found itself gone (swept while cut off from Redis) writes its entries
 * again. Thread-safe.
 */
final class RedisHookStore implements HookStore {
    private static final Logger log = LoggerFactory.getLogger(RedisHookStore.class);
    private static final RedisScript SCRIPT = RedisScript.of("hooks.lua", false);
    static final long TICK_MILLIS = 250;

    private final RedisBackend redis;
    private final String base;
    private final long ttlMillis;
    private final ScheduledExecutorService scheduler;
    private final String bits;
    /** Set once by {@link #start}. */
    private volatile String nodeId;
    private volatile String hookSpec = "";
    /** The events some hook wants ({@link WebhookEvent#bit()}s); steps no hook needs are skipped. */
    private volatile int wanted;
    private volatile Listener listener;
    private volatile ScheduledFuture<?> ticker;
    /** This node's occupied channels and presence entries, written again after a sweep took them. */
    private final Map<ChannelName, Boolean> occupied = new ConcurrentHashMap<>();
    private final Map<ChannelName, Map<String, ClientInfo>> joined = new ConcurrentHashMap<>();
    private final AtomicBoolean ticking = new AtomicBoolean();
    private volatile boolean announcedOnce;

    RedisHookStore(RedisShards shards, RedisKeys keys, Duration presenceTtl, ScheduledExecutorService scheduler) {
        this.redis = shards.first();
        this.base = keys.hooks();
        this.ttlMillis = presenceTtl.toMillis();
        this.scheduler = scheduler;
        StringJoiner b = new StringJoiner(" ");
        for (WebhookEvent e : List.of(WebhookEvent.CHANNEL_OCCUPIED, WebhookEvent.CHANNEL_VACATED,
                WebhookEvent.PRESENCE_JOIN, WebhookEvent.PRESENCE_LEAVE, WebhookEvent.CLIENT_PUBLISH)) {
            b.add(Integer.toString(e.bit()));
        }
        this.bits = b.toString();
    }

    @Override
    public void start(String node, List<Hook> hooks, Listener l) {
        this.nodeId = node;
        this.listener = l;
        StringJoiner spec = new StringJoiner(";");
        for (Hook h : hooks) {
            spec.add(h.id() + " " + h.mask() + " " + h.vacateDelayMillis() + " " + h.maxAgeMillis() + " " + h.maxQueue()
                    + " " + h.scope());
        }
        this.hookSpec = spec.toString();
        int m = 0;
        for (Hook h : hooks) {
            m |= h.mask();
        }
        this.wanted = m;
        ticker = scheduler.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<List<Object>> run(String op, String... args) {
        byte[][] argv = new byte[3 + args.length][];
        argv[0] = op.getBytes(StandardCharsets.UTF_8);
        argv[1] = hookSpec.getBytes(StandardCharsets.UTF_8);
        argv[2] = bits.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < args.length; i++) {
            argv[3 + i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        CompletableFuture<List<Object>> reply = SCRIPT.run(redis, ScriptOutputType.MULTI, new String[] {base}, argv);
        return reply.thenApply(r -> {
            reportDropped(r);
            return r.size() > 1 ? asList(r.get(1)) : List.of();
        });
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    private void reportDropped(List<Object> reply) {
        List<Object> counts = asList(reply.getFirst());
        for (int i = 0; i + 2 < counts.size(); i += 3) {
            listener.queued(RedisHistoryStore.text(counts.get(i)), ((Long) counts.get(i + 1)).intValue(),
                    ((Long) counts.get(i + 2)).intValue());
        }
    }

    private static CompletableFuture<Void> done(CompletableFuture<List<Object>> f) {
        return f.thenApply(r -> null);
    }

    private boolean wantsOccupancy() {
        return (wanted & (WebhookEvent.CHANNEL_OCCUPIED.bit() | WebhookEvent.CHANNEL_VACATED.bit())) != 0;
    }

    @Override
    public CompletableFuture<Void> occupy(ChannelName channel) {
        if (!wantsOccupancy()) {
            return CompletableFuture.completedFuture(null);
        }
        occupied.put(channel, Boolean.TRUE);
        return done(run("occupy", nodeId, channel.value()));
    }

    @Override
    public CompletableFuture<Void> vacate(ChannelName channel) {
        if (!wantsOccupancy()) {
            return CompletableFuture.completedFuture(null);
        }
        occupied.remove(channel);
        return done(run("vacate", nodeId, channel.value()));
    }

    @Override
    public CompletableFuture<Void> join(ChannelName channel, ClientInfo client, boolean pushesLeave) {
        if (!tracks(pushesLeave)) {
            return CompletableFuture.completedFuture(null);
        }
        joined.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).put(client.client(), client);
        return done(run("join", nodeId, channel.value(), client.client(), client.user(), info(client)));
    }

    @Override
    public CompletableFuture<Void> leave(ChannelName channel, ClientInfo client, boolean pushesLeave) {
        if (!tracks(pushesLeave)) {
            return CompletableFuture.completedFuture(null);
        }
        joined.computeIfPresent(channel, (c, m) -> {
            m.remove(client.client());
            return m.isEmpty() ? null : m;
        });
        return done(run("leave", nodeId, channel.value(), client.client(), client.user()));
    }

    /** Presence is tracked where a hook wants its events or a dead node would owe leave pushes. */
    private boolean tracks(boolean pushesLeave) {
        return pushesLeave || (wanted & (WebhookEvent.PRESENCE_JOIN.bit() | WebhookEvent.PRESENCE_LEAVE.bit())) != 0;
    }

    private static String info(ClientInfo client) {
        return new String(RedisPresenceStore.encode(client), StandardCharsets.UTF_8);
    }

    @Override
    public boolean wants(WebhookEvent event) {
        return (wanted & event.bit()) != 0;
    }

    @Override
    public CompletableFuture<Void> clientPublished(ChannelName channel, String fields) {
        if ((wanted & WebhookEvent.CLIENT_PUBLISH.bit()) == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return done(run("publish", channel.value(), fields));
    }

    @Override
    public CompletableFuture<Void> queue(ChannelName channel, int bit, String fields) {
        if ((wanted & bit) == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return done(run("emit", channel.value(), Integer.toString(bit), fields));
    }

    @Override
    public CompletableFuture<List<Batch>> claim(String hookId, int channels, int events, long leaseMillis) {
        return run("claim", hookId, Integer.toString(channels), Integer.toString(events), Long.toString(leaseMillis))
                .thenApply(RedisHookStore::batches);
    }

    private static List<Batch> batches(List<Object> reply) {
        List<Batch> out = new ArrayList<>(reply.size());
        for (Object o : reply) {
            List<Object> b = asList(o);
            List<QueuedEvent> events = new ArrayList<>();
            for (Object e : asList(b.get(3))) {
                events.add(event(RedisHistoryStore.text(e)));
            }
            out.add(new Batch(ChannelName.of(RedisHistoryStore.text(b.get(0))), ((Long) b.get(1)).intValue(),
                    ((Long) b.get(2)).intValue(), events));
        }
        return out;
    }

    /** {@code seq time bit fields}, as hooks.lua writes it. */
    private static QueuedEvent event(String entry) {
        int a = entry.indexOf(' ');
        int b = entry.indexOf(' ', a + 1);
        int c = entry.indexOf(' ', b + 1);
        return new QueuedEvent(Long.parseLong(entry.substring(0, a)), Long.parseLong(entry.substring(a + 1, b)),
                Integer.parseInt(entry.substring(b + 1, c)), entry.substring(c + 1));
    }

    @Override
    public CompletableFuture<Void> delivered(String hookId, Batch batch) {
        return done(run("ack", hookId, batch.channel().value(), Long.toString(batch.events().getFirst().seq()),
                Integer.toString(batch.events().size())));
    }

    @Override
    public CompletableFuture<Void> failed(String hookId, Batch batch, long firstRetryMillis, long maxRetryMillis) {
        return done(run("fail", hookId, batch.channel().value(), Long.toString(firstRetryMillis),
                Long.toString(maxRetryMillis)));
    }

    @Override
    public CompletableFuture<Long> depth(String hookId) {
        return run("depth", hookId).thenApply(r -> r.isEmpty() ? 0L : (Long) r.getFirst());
    }

    /** Announces this node, runs the due vacated checks, and sweeps nodes found dead. */
    private void tick() {
        if (!ticking.compareAndSet(false, true)) {
            return;
        }
        run("tick", nodeId, Long.toString(ttlMillis)).thenCompose(r -> {
            boolean fresh = !r.isEmpty() && (Long) r.getFirst() == 1L;
            if (fresh && announcedOnce) {
                log.warn("node {} was swept from the webhook and presence state (cut off from Redis for longer than"
                        + " presence_ttl); writing its entries again", nodeId);
                rewrite();
            }
            announcedOnce = true;
            CompletableFuture<Void> sweeps = CompletableFuture.completedFuture(null);
            for (int i = 1; i < r.size(); i++) {
                String dead = RedisHistoryStore.text(r.get(i));
                sweeps = sweeps.thenCompose(v -> sweep(dead));
            }
            return sweeps;
        }).whenComplete((v, e) -> {
            ticking.set(false);
            if (e != null) {
                log.debug("webhook state tick failed: {}", e.toString());
            }
        });
    }

    /** Sweeps one dead node page by page, sending the leave pushes each page owed. */
    private CompletableFuture<Void> sweep(String dead) {
        return run("sweep", dead).thenCompose(r -> {
            for (int i = 1; i + 1 < r.size(); i += 2) {
                ChannelName channel = ChannelName.of(RedisHistoryStore.text(r.get(i)));
                byte[] info = (byte[]) r.get(i + 1);
                try {
                    listener.presenceExpired(channel, RedisPresenceStore.decode(null, info, 0, info.length));
                } catch (IOException | RuntimeException e) {
                    log.warn("could not read a swept presence entry of {}", channel, e);
                }
            }
            if (r.size() > 1) {
                log.info("swept {} presence entries of dead node {}", (r.size() - 1) / 2, dead);
            }
            boolean finished = r.isEmpty() || (Long) r.getFirst() == 1L;
            return finished ? CompletableFuture.completedFuture(null) : sweep(dead);
        });
    }

    private void rewrite() {
        occupied.keySet().forEach(ch -> run("occupy", nodeId, ch.value()));
        joined.forEach((ch, clients) -> clients.values().forEach(c ->
                run("join", nodeId, ch.value(), c.client(), c.user(), info(c))));
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = ticker;
        if (t != null) {
            t.cancel(false);
            try {
                run("withdraw", nodeId).get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("could not withdraw node {} from the webhook state: {}", nodeId, e.toString());
            }
        }
    }
}
