package io.github.gambiarra.langchain4j.internal;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEventParsingHandle;
import io.github.gambiarra.protocol.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * LangChain4j's HTTP client interface on OkHttp, so that the provider's chat traffic goes through
 * the same OkHttp client (pool, TLS, proxy) as its room calls, rather than a second HTTP stack.
 *
 * <p>Streams get two guarantees LangChain4j's own clients do not give: a stream that ends with an
 * error event (the hub's way of saying a participant broke off, with a code) is reported as an
 * error, not as a completed answer; and a stream that fails is reported once, by
 * {@code onError}, never followed by {@code onClose} (which LangChain4j turns into a
 * completed response).
 */
final class OkHttpClientAdapter implements HttpClient {
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private final OkHttpClient http;

    OkHttpClientAdapter(OkHttpClient http) {
        this.http = http;
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        try (Response response = http.newCall(toOkHttp(request)).execute()) {
            ResponseBody body = response.body();
            byte[] bytes = body == null ? new byte[0] : body.bytes();
            if (!response.isSuccessful()) {
                throw new HttpException(response.code(), new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            }
            return SuccessfulHttpResponse.builder().statusCode(response.code()).headers(headers(response))
                    .body(bytes).build();
        } catch (InterruptedIOException e) {
            throw new TimeoutException(e);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        Call call = http.newCall(toOkHttp(request));
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                quietly(() -> listener.onError(e instanceof InterruptedIOException ? new TimeoutException(e) : e));
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    ResponseBody body = response.body();
                    if (!response.isSuccessful()) {
                        String text = readQuietly(body);
                        quietly(() -> listener.onError(new HttpException(response.code(), text)));
                        return;
                    }
                    quietly(() -> listener.onOpen(SuccessfulHttpResponse.builder().statusCode(response.code())
                            .headers(headers(response)).build()));
                    OnceListener once = new OnceListener(listener, c);
                    try (InputStream in = body.byteStream()) {
                        parser.parse(in, once);
                    } catch (IOException e) {
                        once.onError(e);
                    }
                    once.closeIfClean();
                }
            }
        });
    }

    private Request toOkHttp(HttpRequest request) {
        Request.Builder builder = new Request.Builder().url(request.url());
        request.headers().forEach((name, values) -> {
            if (values != null) {
                values.forEach(value -> builder.addHeader(name, value));
            }
        });
        TraceContext.addTo(builder);
        RequestBody body = null;
        if (request.body() != null) {
            body = RequestBody.create(request.body(), JSON);
        } else if (request.method() == dev.langchain4j.http.client.HttpMethod.POST) {
            body = RequestBody.create(new byte[0]);
        }
        if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
            throw new UnsupportedOperationException("form data is not used by the Gambiarra provider");
        }
        return builder.method(request.method().name(), body).build();
    }

    private static Map<String, List<String>> headers(Response response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : response.headers().names()) {
            headers.put(name, response.headers(name));
        }
        return headers;
    }

    private static String readQuietly(ResponseBody body) {
        try {
            return body == null ? "" : body.string();
        } catch (IOException e) {
            return "";
        }
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // a listener's failure must not stop the stream's bookkeeping
        }
    }

    /**
     * Passes events on, turning an error event into {@code onError}, reporting at most one error,
     * and closing (the completed-answer signal) only a stream that neither failed nor was cancelled.
     */
    private static final class OnceListener implements ServerSentEventListener {
        private final ServerSentEventListener target;
        private final Call call;
        private volatile boolean failed;
        private volatile ServerSentEventParsingHandle handle;

        OnceListener(ServerSentEventListener target, Call call) {
            this.target = target;
            this.call = call;
        }

        @Override
        public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
            handle = context.parsingHandle();
            if (failed) {
                return;
            }
            if (isErrorEvent(event)) {
                failed = true;
                quietly(() -> target.onError(new HttpException(statusOf(event.data()), event.data())));
                context.parsingHandle().cancel();
                call.cancel();
                return;
            }
            target.onEvent(event, context);
        }

        @Override
        public void onEvent(ServerSentEvent event) {
            target.onEvent(event);
        }

        @Override
        public void onError(Throwable error) {
            ServerSentEventParsingHandle h = handle;
            if (failed || (h != null && h.isCancelled())) {
                return;
            }
            failed = true;
            quietly(() -> target.onError(error));
        }

        void closeIfClean() {
            ServerSentEventParsingHandle h = handle;
            if (h != null && h.isCancelled()) {
                // The caller cancelled: drop the connection, so that the hub cancels the participant's work.
                call.cancel();
            }
            if (!failed) {
                quietly(target::onClose);
            }
        }

        /**
         * An OpenAI error object where a chunk would be: {@code {"error": {...}}} with no choices
         * (also sent as {@code event: error} by some servers).
         */
        private static boolean isErrorEvent(ServerSentEvent event) {
            String data = event.data();
            if (data == null) {
                return false;
            }
            if ("error".equals(event.event())) {
                return true;
            }
            String trimmed = data.stripLeading();
            return trimmed.startsWith("{\"error\"") && !trimmed.contains("\"choices\"");
        }

        private static int statusOf(String data) {
            String code = io.github.gambiarra.client.internal.ErrorBody.parse(data).code();
            return ErrorCode.fromWire(code).map(ErrorCode::status).orElse(500);
        }
    }
}
