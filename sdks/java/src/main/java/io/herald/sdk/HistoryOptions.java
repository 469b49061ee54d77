package io.herald.sdk;

/**
 * Which publications {@code history} returns: the latest {@code limit} without {@code since}, the
 * first {@code limit} after it with one. Null fields are left out of the request.
 *
 * @param since publications after this offset (with {@code epoch})
 * @param limit at most this many (the server caps it at 100)
 */
public record HistoryOptions(Long since, String epoch, Integer limit) {
    public static final HistoryOptions LATEST = new HistoryOptions(null, null, null);

    public static HistoryOptions since(long offset, String epoch) {
        return new HistoryOptions(offset, epoch, null);
    }

    public static HistoryOptions latest(int limit) {
        return new HistoryOptions(null, null, limit);
    }

    public HistoryOptions withLimit(int limit) {
        return new HistoryOptions(since, epoch, limit);
    }
}
