package io.herald.config;

import io.herald.protocol.HmacSha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * The one secret dev mode derives its API key and JWT secret from, so that they survive a restart:
 * a page holding a {@code ?token=} and a backend holding the API key keep working. It comes from
 * {@code HERALD_DEV_SECRET}, else from {@link #FILE} in the working directory, created on the first
 * dev-mode start (owner-only permissions where the file system has them). Without either, dev mode
 * makes new random keys on every start.
 */
public final class DevSecret {
    /** The environment variable that gives the secret (it wins over the file). */
    public static final String ENV = "HERALD_DEV_SECRET";
    /** Where {@code herald serve} keeps the secret, relative to the working directory. */
    public static final String FILE = ".herald/dev-secret";
    /** A secret file is a few dozen bytes: anything much larger is not one. */
    static final int MAX_FILE_BYTES = 4096;
    private static final int NEW_SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private DevSecret() {
    }

    /** The API key of dev mode with {@code secret}: 24 bytes, base64url (32 characters), as a random one. */
    static String apiKey(String secret) {
        return derive(secret, "herald dev api_key", ConfigLoader.DEV_API_KEY_BYTES);
    }

    /** The JWT HMAC secret of dev mode with {@code secret}: 32 bytes, base64url (43 characters), as a random one. */
    public static String hmacSecret(String secret) {
        return derive(secret, "herald dev jwt.hmac_secret", ConfigLoader.DEV_HMAC_SECRET_BYTES);
    }

    private static String derive(String secret, String purpose, int bytes) {
        byte[] out = Arrays.copyOf(HmacSha256.of(secret, purpose.getBytes(StandardCharsets.UTF_8)), bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /**
     * The secret in {@code file}, or empty when there is no such file.
     *
     * @throws ConfigException when the file is not a secret (too short, too large, unreadable): it
     *                         names the file and says to delete it
     */
    public static Optional<String> read(Path file) {
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the dev-mode secret (" + e.getMessage() + ")", e);
        }
        if (content.length > MAX_FILE_BYTES) {
            throw new ConfigException(file + ": over " + MAX_FILE_BYTES + " bytes, not a dev-mode secret (delete it for new keys)");
        }
        String secret = new String(content, StandardCharsets.UTF_8).strip();
        return Optional.of(ConfigRules.hmacSecret(secret, file + " (delete it for new keys)"));
    }

    /**
     * The secret in {@code file}, created with a new random one when missing. Two servers starting
     * at once in the same directory end up with the same secret: the file appears whole or not at
     * all (written aside, then linked into place, which fails if another got there first).
     *
     * @throws IOException      when the file cannot be created (a read-only directory, say)
     * @throws ConfigException  when it exists but is not a secret
     */
    public static Created readOrCreate(Path file) throws IOException {
        Optional<String> existing = read(file);
        if (existing.isPresent()) {
            return new Created(existing.get(), false);
        }
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, posix ? new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))} : new FileAttribute<?>[0]);
        }
        byte[] random = new byte[NEW_SECRET_BYTES];
        RANDOM.nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path aside = posix ? Files.createTempFile(dir, "dev-secret", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, "dev-secret", ".tmp");
        try {
            Files.writeString(aside, secret + "\n");
            try {
                Files.createLink(file, aside);
            } catch (FileAlreadyExistsException e) {
                return new Created(read(file).orElseThrow(() -> e), false);
            } catch (UnsupportedOperationException | IOException e) {
                // no hard links here (some network and FAT file systems): a plain move, not race-free
                Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            Files.deleteIfExists(aside);
        }
        return new Created(secret, true);
    }

    /**
     * The secret of {@link #readOrCreate} and whether this call created the file.
     *
     * @param secret  the secret
     * @param created true when the file did not exist before
     */
    public record Created(String secret, boolean created) {
    }
}
