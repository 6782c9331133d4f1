package io.github.gambiarra.hub.http;

import io.github.gambiarra.hub.room.PasswordHasher;
import io.github.gambiarra.hub.room.RoomState;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

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
    private final PasswordHasher hasher;
    private final GuessThrottle throttle;

    RoomAccess(PasswordHasher hasher, GuessThrottle throttle) {
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
        check(ctx, room, bearer(ctx), ok -> ctx.next());
    }

    /**
     * Checks {@code candidate} against the room's password and calls {@code onSuccess}, or answers
     * 401 (wrong or missing) or 429 (too many wrong guesses from this address).
     */
    void check(RoutingContext ctx, RoomState room, String candidate, Consumer<Void> onSuccess) {
        String address = address(ctx);
        long wait = throttle.retryAfterSeconds(address);
        if (wait > 0) {
            ctx.response().putHeader("Retry-After", String.valueOf(wait));
            Replies.error(ctx, 429, "Too many wrong passwords from " + address + "; try again in " + wait + " s");
            return;
        }
        if (candidate == null) {
            Replies.error(ctx, 401, "This room needs its password: send it as 'Authorization: Bearer <password>'");
            return;
        }
        if (room.matchesVerifiedPassword(candidate)) {
            onSuccess.accept(null);
            return;
        }
        ctx.vertx().executeBlocking(() -> hasher.verify(candidate, room.passwordHash()), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result()) {
                room.rememberVerifiedPassword(candidate);
                throttle.succeeded(address);
                onSuccess.accept(null);
            } else {
                throttle.failed(address);
                Replies.error(ctx, 401, "Invalid password");
            }
        });
    }

    /** The Bearer credential of the request, or null. */
    static String bearer(RoutingContext ctx) {
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String value = header.substring(7).trim();
        return value.isEmpty() ? null : value;
    }

    private static String address(RoutingContext ctx) {
        var remote = ctx.request().remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }
}
