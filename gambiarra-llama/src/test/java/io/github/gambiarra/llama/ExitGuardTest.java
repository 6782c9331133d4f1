package io.github.gambiarra.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A program that closed its engine ends when its main does (java-llama.cpp alone would keep it alive). */
class ExitGuardTest {
    @TempDir
    Path dir;

    private Process run(Path gguf, String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ExitAfterClose.class.getName(),
                gguf.toString(), mode).redirectErrorStream(true).redirectOutput(dir.resolve(mode + ".log").toFile()).start();
    }

    private String log(String mode) throws Exception {
        return java.nio.file.Files.readString(dir.resolve(mode + ".log"), StandardCharsets.UTF_8);
    }

    /** Runs the program to its end (failing if the JVM has not ended within a minute) and returns its status. */
    private int runToEnd(String mode) throws Exception {
        Process p = run(TinyLlama.demo().write(dir.resolve("tiny.gguf")), mode);
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as("the JVM ended; output: %s", log(mode)).isTrue();
        return p.exitValue();
    }

    @Test
    void aProgramEndsWithStatusZeroAfterItsMainReturns() throws Exception {
        assertThat(runToEnd("ok")).isZero();
        assertThat(log("ok")).contains("answered 200").contains("main returns");
    }

    @Test
    void aProgramWhoseMainThrowsEndsWithStatusOneAndTheUsualReport() throws Exception {
        assertThat(runToEnd("throw")).isEqualTo(1);
        assertThat(log("throw")).contains("Exception in thread \"main\" java.lang.IllegalStateException: the program failed");
    }
}
