package io.github.gambiarra.langchain4j;

import dev.langchain4j.exception.LangChain4jException;

/** No hub answered at the address used; the message says what to check. */
public class HubUnreachableException extends LangChain4jException {
    private static final long serialVersionUID = 1L;

    public HubUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
