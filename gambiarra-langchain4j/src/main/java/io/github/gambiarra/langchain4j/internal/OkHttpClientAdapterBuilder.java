package io.github.gambiarra.langchain4j.internal;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import java.time.Duration;
import okhttp3.OkHttpClient;

/**
 * Builds the provider's LangChain4j HTTP client on the room client's OkHttp client. LangChain4j's
 * OpenAI models set the timeouts (their {@code timeout}, or 15 s to connect and 60 s to read);
 * for a stream the read timeout is the longest silence between two events.
 */
public final class OkHttpClientAdapterBuilder implements HttpClientBuilder {
    private final OkHttpClient base;
    private Duration connectTimeout;
    private Duration readTimeout;

    public OkHttpClientAdapterBuilder(OkHttpClient base) {
        this.base = base;
    }

    @Override
    public Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public HttpClientBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    @Override
    public Duration readTimeout() {
        return readTimeout;
    }

    @Override
    public HttpClientBuilder readTimeout(Duration timeout) {
        this.readTimeout = timeout;
        return this;
    }

    @Override
    public HttpClient build() {
        OkHttpClient.Builder b = base.newBuilder();
        if (connectTimeout != null) {
            b.connectTimeout(connectTimeout);
        }
        if (readTimeout != null) {
            b.readTimeout(readTimeout);
        }
        return new OkHttpClientAdapter(b.build());
    }
}
