package io.herald.cli;

/** Entry point placeholder; the picocli commands replace it. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("herald");
    }
}
