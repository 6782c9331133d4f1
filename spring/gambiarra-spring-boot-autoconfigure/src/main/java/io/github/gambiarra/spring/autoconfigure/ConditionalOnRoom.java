package io.github.gambiarra.spring.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when {@code gambiarra.room} has a value. An empty one ({@code gambiarra.room=${GAMBIARRA_ROOM:}}
 * with the variable unset) counts as none: the application starts without the room's beans.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@Conditional(ConditionalOnRoom.OnRoom.class)
public @interface ConditionalOnRoom {

    /** The condition behind {@link ConditionalOnRoom}. */
    class OnRoom extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String room = context.getEnvironment().getProperty("gambiarra.room");
            return StringUtils.hasText(room) ? ConditionOutcome.match("gambiarra.room is " + room.trim())
                    : ConditionOutcome.noMatch("gambiarra.room is not set");
        }
    }
}
