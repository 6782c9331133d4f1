package io.github.gambiarra.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.client.GambiarraException;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.openai.OpenAiWire;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The client decides by code, in either error shape, and by status only where a hub sends no code. */
class HubErrorsTest {
    private static final HubErrors.Call CALL = new HubErrors.Call("http://hub:3000", "ABC123", "model:llama3");

    static Class<? extends GambiarraException> expected(ErrorCode code) {
        return switch (code) {
            case ROOM_NOT_FOUND -> GambiarraException.RoomNotFoundException.class;
            case PARTICIPANT_NOT_FOUND -> GambiarraException.ParticipantNotFoundException.class;
            case MODEL_NOT_FOUND, API_NOT_SERVED -> GambiarraException.NoParticipantException.class;
            case PREVIOUS_RESPONSE_UNAVAILABLE -> GambiarraException.ParticipantFailedException.class;
            case PASSWORD_REQUIRED, INVALID_PASSWORD, PARTICIPANT_TOKEN_REQUIRED, INVALID_PARTICIPANT_TOKEN,
                    CREATE_PASSWORD_REQUIRED, INVALID_CREATE_PASSWORD, HOST_TOKEN_REQUIRED, INVALID_HOST_TOKEN ->
                    GambiarraException.AccessDeniedException.class;
            case PARTICIPANTS_BUSY, TOO_MANY_PASSWORD_GUESSES, TOO_MANY_CONNECTIONS, ROOM_CREATION_RATE_LIMITED ->
                    GambiarraException.RateLimitedException.class;
            case PARTICIPANT_UNREACHABLE, PARTICIPANT_OFFLINE, PARTICIPANT_DISCONNECTED ->
                    GambiarraException.ParticipantFailedException.class;
            case INVALID_JSON, INVALID_REQUEST, REQUEST_TOO_LARGE, PARTICIPANT_ID_TAKEN, NOT_FOUND, METHOD_NOT_ALLOWED,
                    TUNNEL_REQUIRED, REQUEST_TIMEOUT ->
                    GambiarraException.BadRequestException.class;
            case INTERNAL_ERROR, TOO_MANY_ROOMS, ROOM_HUB_UNREACHABLE, ROOM_HUB_FAILED -> GambiarraException.class;
        };
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCodeInTheRoomShapeGivesItsException(ErrorCode code) {
        String body = OpenAiWire.json(Messages.Error.of(code, "it went wrong"));
        GambiarraException e = HubErrors.fromResponse(code.status(), body, "7", CALL, null, null);
        assertThat(e).isExactlyInstanceOf(expected(code));
        assertThat(e.code()).isEqualTo(code.wire());
        assertThat(e.errorCode()).contains(code);
        assertThat(e.status()).isEqualTo(code.status());
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCodeInTheOpenAiShapeGivesItsException(ErrorCode code) {
        String body = OpenAiWire.json(Messages.OpenAiError.about(code, "it went wrong", "joao"));
        GambiarraException e = HubErrors.fromResponse(code.status(), body, null, CALL, null, null);
        assertThat(e).isExactlyInstanceOf(expected(code));
        assertThat(e.code()).isEqualTo(code.wire());
        if (e instanceof GambiarraException.ParticipantFailedException) {
            assertThat(e.participantId()).isEqualTo("joao");
            assertThat(e.getMessage()).contains("participant joao");
        }
    }

    static Stream<Arguments> statusesWithoutCode() {
        return Stream.of(
                Arguments.of(400, GambiarraException.BadRequestException.class),
                Arguments.of(401, GambiarraException.AccessDeniedException.class),
                Arguments.of(403, GambiarraException.AccessDeniedException.class),
                Arguments.of(404, GambiarraException.RoomNotFoundException.class),
                Arguments.of(409, GambiarraException.BadRequestException.class),
                Arguments.of(413, GambiarraException.BadRequestException.class),
                Arguments.of(422, GambiarraException.BadRequestException.class),
                Arguments.of(429, GambiarraException.RateLimitedException.class),
                Arguments.of(500, GambiarraException.class),
                Arguments.of(502, GambiarraException.ParticipantFailedException.class),
                Arguments.of(503, GambiarraException.ParticipantFailedException.class));
    }

    /** Hubs of the original protocol send {@code {"error": "Room not found"}} and no code. */
    @ParameterizedTest
    @MethodSource("statusesWithoutCode")
    void aHubThatSendsNoCodeIsReadByStatus(int status, Class<? extends GambiarraException> type) {
        GambiarraException e = HubErrors.fromResponse(status, "{\"error\":\"Room not found\"}", null, CALL,
                ErrorCode.ROOM_NOT_FOUND, null);
        assertThat(e).isExactlyInstanceOf(type);
        assertThat(e.code()).isNull();
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void messagesSayWhereAndNeverJustTheStatus(ErrorCode code) {
        GambiarraException e = HubErrors.fromResponse(code.status(),
                OpenAiWire.json(Messages.OpenAiError.of(code, "detail from the hub")), null, CALL, null, null);
        assertThat(e.getMessage()).satisfiesAnyOf(m -> assertThat(m).contains("ABC123"), m -> assertThat(m).contains("http://hub:3000"));
    }

    @org.junit.jupiter.api.Test
    void retryAfterIsReadAsADuration() {
        GambiarraException e = HubErrors.fromResponse(429,
                OpenAiWire.json(Messages.OpenAiError.of(ErrorCode.PARTICIPANTS_BUSY, "busy")), "3", CALL, null, null);
        assertThat(((GambiarraException.RateLimitedException) e).retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(e.getMessage()).contains("try again in 3 s");
    }

    @org.junit.jupiter.api.Test
    void aBodyOfNeitherShapeKeepsItsTextShortened() {
        ErrorBody body = ErrorBody.parse("<html>" + "x".repeat(1000) + "</html>");
        assertThat(body.code()).isNull();
        assertThat(body.message()).startsWith("<html>").hasSizeLessThan(320);
    }

    @Test
    void aHubLimitIsWordedOnceWithItsWait() {
        String body = OpenAiWire.json(Messages.Error.of(ErrorCode.ROOM_CREATION_RATE_LIMITED,
                "Too many rooms created from 10.0.0.2 (at most 30 a minute): try again in 59 s"));
        GambiarraException e = HubErrors.fromResponse(429, body, "59", CALL, null, null);
        assertThat(e.getMessage()).isEqualTo("http://hub:3000 refused: Too many rooms created from 10.0.0.2 "
                + "(at most 30 a minute): try again in 59 s");
        GambiarraException tunnel = HubErrors.fromResponse(403, OpenAiWire.json(Messages.Error.of(ErrorCode.TUNNEL_REQUIRED,
                "This hub does not dial participants: connect through the tunnel")), null, CALL, null, null);
        assertThat(tunnel.getMessage()).containsOnlyOnce("tunnel").endsWith("join without --direct");
    }
}
