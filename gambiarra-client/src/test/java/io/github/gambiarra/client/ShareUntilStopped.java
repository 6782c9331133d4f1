package io.github.gambiarra.client;

/**
 * A program that shares a model and then only waits, run in its own JVM by the tests to see what
 * stopping a JVM does to its participant: {@code ShareUntilStopped HUB CODE ENDPOINT leaveOnShutdown}.
 */
public final class ShareUntilStopped {
    private ShareUntilStopped() {
    }

    public static void main(String[] args) throws Exception {
        GambiarraClient client = GambiarraClient.create(args[0]);
        ParticipantSession session = client.join(args[1], JoinOptions.builder().id("child").nickname("child")
                .model("m").endpoint(args[2]).leaveOnShutdown(Boolean.parseBoolean(args[3])).build());
        System.out.println("joined " + session.id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
