package io.github.gambiarra.hub.internal.http;

import io.github.gambiarra.hub.internal.placement.RoomPlacement;
import io.github.gambiarra.hub.internal.room.PasswordHasher;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps protected rooms closed: every {@code /rooms/{code}/...} call must carry the room password
 * as {@code Authorization: Bearer <password>} (an OpenAI client's API key), or on join the
 * {@code password} field. Wrong guesses are throttled per client address.
 *
 * <p>Checking a password with PBKDF2 takes a good fraction of a second, so after the first
 * success the room remembers a fast digest of the right password and later calls are compared
 * against that in constant time; wrong passwords always take the slow path.
 */
final class RoomAccess {
    private static final Logger LOG = LoggerFactory.getLogger(RoomAccess.class);

    private final Vertx vertx;
    private final PasswordHasher hasher;
    private final AddressWindow throttle;

    RoomAccess(Vertx vertx, PasswordHasher hasher, AddressWindow throttle) {
        this.vertx = vertx;
        this.hasher = hasher;
        this.throttle = throttle;
    }

    /** Route handler: lets open rooms through, and protected ones with the right Bearer password. */
    void requirePassword(RoutingContext ctx) {
        RoomState room = RoomApi.room(ctx);
        if (!room.isProtected()) {
            ctx.next();
            return;
        }
        check(ctx.request(), room, bearer(ctx.request()), ctx::next);
    }

    /**
     * Checks {@code candidate} against the room's password and runs {@code onSuccess}, or answers
     * 401 (wrong or missing) or 429 (too many wrong guesses from this address).
     */
    void check(HttpServerRequest request, RoomState room, String candidate, Runnable onSuccess) {
        String address = address(request);
        long wait = throttle.retryAfterSeconds(address);
        if (wait > 0) {
            request.response().putHeader("Retry-After", String.valueOf(wait));
            Replies.error(request, ErrorCode.TOO_MANY_PASSWORD_GUESSES, "Too many wrong passwords from " + address + "; try again in " + wait + " s");
            return;
        }
        if (candidate == null) {
            Replies.error(request, ErrorCode.PASSWORD_REQUIRED, "This room needs its password: send it as 'Authorization: Bearer <password>'");
            return;
        }
        if (room.matchesVerifiedPassword(candidate)) {
            onSuccess.run();
            return;
        }
        vertx.executeBlocking(() -> hasher.verify(candidate, room.passwordHash()), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("could not check a password for room {}", room.code(), ar.cause());
                Replies.error(request, ErrorCode.INTERNAL_ERROR, "Internal hub error");
            } else if (ar.result()) {
                room.rememberVerifiedPassword(candidate);
                throttle.clear(address);
                onSuccess.run();
            } else {
                throttle.record(address);
                Replies.error(request, ErrorCode.INVALID_PASSWORD, "Invalid password");
            }
        });
    }

    /** The Bearer credential of the request, or null. */
    static String bearer(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String value = header.substring(7).trim();
        return value.isEmpty() ? null : value;
    }

    /** The client's address, as throttles and limits count it. */
    static String address(HttpServerRequest request) {
        // Set only on a request another hub of the cluster forwarded, or a trusted proxy's: the entry removes it from any other.
        String forwardedFor = request.getHeader(RoomPlacement.FORWARDED_FOR);
        if (forwardedFor != null) {
            return forwardedFor;
        }
        var remote = request.remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }
}
