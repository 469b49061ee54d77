package io.herald.cli;

import io.herald.auth.PasswordHash;
import io.herald.config.AdminConfig;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code herald admin-password}: prints the PBKDF2 hash of a password for {@code admin.password_hash}. */
@Command(name = "admin-password", mixinStandardHelpOptions = true,
        description = "Read a password (from the terminal, or the first line of stdin) and print its hash"
                + " for admin.password_hash / HERALD_ADMIN_PASSWORD_HASH.")
final class AdminPasswordCommand implements Callable<Integer> {
    @Option(names = "--iterations", description = "PBKDF2 iterations (default ${DEFAULT-VALUE})")
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    @Override
    public Integer call() throws IOException {
        Console console = System.console();
        String password;
        if (console != null) {
            char[] chars = console.readPassword("admin password: ");
            password = chars == null ? null : new String(chars);
        } else {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        if (password == null || password.length() < AdminConfig.MIN_PASSWORD_CHARS) {
            System.err.println("herald: the password must be at least " + AdminConfig.MIN_PASSWORD_CHARS + " characters");
            return 2;
        }
        System.out.println(PasswordHash.of(password, iterations));
        return 0;
    }
}
