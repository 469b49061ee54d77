package io.herald.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The positional cursors of the SSE and polling transports: one {@code <epoch>:<offset>} per channel
 * of the request, in the same order, comma-joined ({@code a1:19,b7:4}). An entry {@code -} (Herald's
 * own, for a channel the request was refused) or an empty one means "no position" for that channel.
 * Stateless and thread-safe.
 */
public final class Cursors {
    private static final Pattern EPOCH = Pattern.compile("[A-Za-z0-9]{1,16}");
    /** The entry of a channel with no position: one the request was refused. */
    public static final String NONE = "-";

    private Cursors() {
    }

    /**
     * Parses {@code text} for {@code channels} channels; entries are null where the text has none.
     *
     * @throws ProtocolException {@code bad_request} naming the problem: wrong count or syntax
     */
    public static List<StreamPosition> parse(String text, int channels) throws ProtocolException {
        String[] parts = text.split(",", -1);
        if (parts.length != channels) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "cursors \"" + clip(text) + "\" have " + parts.length
                    + " entr" + (parts.length == 1 ? "y" : "ies") + " for " + channels + " channel(s); give one"
                    + " <epoch>:<offset> per channel parameter, in the same order, comma-joined");
        }
        List<StreamPosition> out = new ArrayList<>(channels);
        for (String part : parts) {
            out.add(part.isEmpty() || part.equals(NONE) ? null : position(part));
        }
        return Collections.unmodifiableList(out);
    }

    private static StreamPosition position(String part) throws ProtocolException {
        int colon = part.indexOf(':');
        String epoch = colon < 0 ? "" : part.substring(0, colon);
        String offset = colon < 0 ? "" : part.substring(colon + 1);
        if (!EPOCH.matcher(epoch).matches() || offset.isEmpty() || offset.length() > 18
                || !offset.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "cursor \"" + clip(part)
                    + "\" is not <epoch>:<offset> (epoch 1-16 letters or digits, offset a non-negative integer, e.g. a1:19)");
        }
        return new StreamPosition(Long.parseLong(offset), epoch);
    }

    /** Formats positions as cursors; a null position is {@link #NONE}. */
    public static String format(List<StreamPosition> positions) {
        StringBuilder b = new StringBuilder(positions.size() * 12);
        for (int i = 0; i < positions.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            StreamPosition p = positions.get(i);
            if (p != null) {
                b.append(p.epoch()).append(':').append(p.offset());
            } else {
                b.append(NONE);
            }
        }
        return b.toString();
    }

    /** Echoed input is cut, so a huge query string does not come back in full. */
    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
