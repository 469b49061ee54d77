package io.herald.config;

import java.time.Duration;

/**
 * The admin web UI at {@code /admin}: whether it is served and how its operator logs in.
 *
 * @param enabled      whether {@code /admin} and {@code /admin/api/...} are served (off by default
 *                     outside dev mode; on in dev mode unless set to false)
 * @param password     the login password, or null when {@code passwordHash} is set
 * @param passwordHash the login password as a PBKDF2 hash ({@code pbkdf2-sha256$iterations$salt$hash},
 *                     see {@link io.herald.auth.PasswordHash}), or null when {@code password} is set
 * @param sessionTtl   how long a login lasts
 * @param devPassword  true when {@code password} was generated for dev mode (printed at start)
 */
public record AdminConfig(boolean enabled, String password, String passwordHash, Duration sessionTtl,
                          boolean devPassword) {
    public static final AdminConfig OFF = new AdminConfig(false, null, null, Duration.ofHours(12), false);
    /** Shortest accepted password, in characters. */
    public static final int MIN_PASSWORD_CHARS = 12;
}
