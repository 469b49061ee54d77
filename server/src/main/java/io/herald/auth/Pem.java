package io.herald.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads RSA and EC keys in PEM. Public keys must be X.509 SubjectPublicKeyInfo
 * ({@code -----BEGIN PUBLIC KEY-----}), private keys PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}),
 * which is what {@code openssl pkey} writes. A value that does not contain a PEM block is taken as
 * the path of a file holding one, so config may give either the key or where it lives.
 *
 * <p>Stateless and thread-safe. Every failure is an {@link IllegalArgumentException} whose message
 * names what was expected; messages never contain key material.
 */
public final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private Pem() {
    }

    /** Parses an RSA public key from PEM text or a path to a PEM file. */
    public static RSAPublicKey rsaPublicKey(String pemOrPath) {
        byte[] der = block(pemOrPath, "PUBLIC KEY");
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("PEM block is not an RSA public key");
        }
    }

    /** Parses an EC public key from PEM text or a path to a PEM file. The curve is not checked here. */
    public static ECPublicKey ecPublicKey(String pemOrPath) {
        byte[] der = block(pemOrPath, "PUBLIC KEY");
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("PEM block is not an EC public key");
        }
    }

    /** Parses a PKCS#8 RSA or EC private key from PEM text or a path to a PEM file. */
    public static PrivateKey privateKey(String pemOrPath) {
        byte[] der = block(pemOrPath, "PRIVATE KEY");
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Not this algorithm; PKCS#8 names it inside the DER, so trying each is cheap.
            }
        }
        throw new IllegalArgumentException("PEM block is not an RSA or EC private key");
    }

    /** Writes DER bytes as a PEM block with the given label, 64 characters a line. */
    public static String encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    private static byte[] block(String pemOrPath, String label) {
        if (pemOrPath == null || pemOrPath.isBlank()) {
            throw new IllegalArgumentException("no PEM key given");
        }
        String text = pemOrPath.contains("-----BEGIN") ? pemOrPath : readFile(pemOrPath.strip());
        Matcher m = BLOCK.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("no PEM block found (expected -----BEGIN " + label + "-----)");
        }
        String found = m.group(1);
        if (!found.equals(label)) {
            throw new IllegalArgumentException("PEM block is " + found + ", expected " + label + conversionHint(found));
        }
        try {
            return Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM block is not valid base64");
        }
    }

    /** PKCS#1 and SEC1 blocks are common in the wild; tell the operator the one command that fixes it. */
    private static String conversionHint(String found) {
        return switch (found) {
            case "RSA PUBLIC KEY" -> " (convert with: openssl rsa -RSAPublicKey_in -in key.pem -pubout)";
            case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> " (convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem)";
            default -> "";
        };
    }

    private static String readFile(String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.US_ASCII);
        } catch (IOException | InvalidPathException e) {
            throw new IllegalArgumentException("value is neither a PEM key nor a readable PEM file: "
                    + (path.length() > 200 ? path.substring(0, 200) + "..." : path));
        }
    }
}
