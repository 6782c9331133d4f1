package io.github.gambiarra.hub.internal.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Where a participant's requests go, parsed once per endpoint and path rather than per request.
 * Bounded: once it holds more than {@value #MAX} entries (endpoints of participants long gone)
 * it starts again.
 *
 * @param <T> what a transport keeps of a parsed endpoint
 */
final class ParsedTargets<T> {
    private static final int MAX = 4096;
    private final Map<String, T> parsed = new ConcurrentHashMap<>();
    private final BiFunction<String, String, T> parser;

    /** @param parser (endpoint, path) to a target; throws IllegalArgumentException for an endpoint it cannot use */
    ParsedTargets(BiFunction<String, String, T> parser) {
        this.parser = parser;
    }

    /** @throws IllegalArgumentException when the endpoint is not one the transport can dial */
    T get(String endpoint, String path) {
        if (parsed.size() > MAX) {
            parsed.clear();
        }
        return parsed.computeIfAbsent(endpoint + ' ' + path, k -> parser.apply(endpoint, path));
    }
}
