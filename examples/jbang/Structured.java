///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-langchain4j:0.1.0-SNAPSHOT
// 0.1.0-SNAPSHOT is a local build (mvn -B -DskipTests install at the repository root); once 0.1.0 is on Maven Central, write 0.1.0.
//DEPS org.slf4j:slf4j-nop:2.0.17
//DEPS dev.langchain4j:langchain4j:1.19.0

import dev.langchain4j.service.AiServices;
import io.github.gambiarra.langchain4j.Gambiarra;

/** Structured output into a Java record (JSON schema under the hood): `jbang Structured.java ABC123`. */
public class Structured {
    record Person(String name, int age, boolean likesGpus) {
    }

    interface Extractor {
        Person extract(String text);
    }

    public static void main(String... args) {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: jbang Structured.java ROOM_CODE [TEXT]");
            System.err.println("  extracts a record from text as JSON");
            System.exit(2);
        }
        Extractor extractor = AiServices.create(Extractor.class, Gambiarra.create(args[0]).any());
        Person person = extractor.extract(args.length > 1 ? args[1] : "Ana is 31 and shares her RTX 4090 with the lab.");
        System.out.println(person);
    }
}
