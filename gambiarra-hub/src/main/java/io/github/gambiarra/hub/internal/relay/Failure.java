package io.github.gambiarra.hub.internal.relay;

/**
 * Why a participant did not answer a request, found before anything of an answer reached the
 * client: the dispatcher decides what follows ({@link AttemptOutcomes#failed}).
 *
 * @param kind   what happened
 * @param reason what to tell the client if nothing else can answer
 * @param status the participant's HTTP status ({@link Kind#SERVER_ERROR}, {@link Kind#NOT_SERVED}), else 0
 */
record Failure(Kind kind, String reason, int status) {

    enum Kind {
        /** It could not be reached, or its server failed the request (the participant's fault). */
        UNREACHABLE,
        /** Its server answered 5xx. */
        SERVER_ERROR,
        /** Its server does not serve the request's API (404, 405 or 501 for the route). */
        NOT_SERVED,
        /** Its tunnel dropped before its answer began: it may be back in seconds. */
        LINK_LOST,
        /** It did not acknowledge the request in time and the request was taken back: it is frozen. */
        UNACKNOWLEDGED
    }

    static Failure of(Kind kind, String reason) {
        return new Failure(kind, reason, 0);
    }
}
