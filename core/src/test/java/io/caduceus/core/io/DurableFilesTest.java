package io.caduceus.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

    @TempDir
    Path dir;

    @Test
    void replaceSwapsTheWholeContentAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("nested/state.json");
        DurableFiles.replace(file, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        DurableFiles.replace(file, "{\"a\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(file).hasContent("{\"a\":2}");
        assertThat(dir.resolve("nested/state.json.tmp")).doesNotExist();
    }

    @Test
    void aTemporaryFileLeftByACrashIsOverwrittenNotAppendedTo() throws IOException {
        Path file = dir.resolve("state.json");
        Files.writeString(dir.resolve("state.json.tmp"), "half-written garbage that is longer than the new content");
        DurableFiles.replace(file, "new".getBytes(StandardCharsets.UTF_8));
        assertThat(file).hasContent("new");
    }

    @Test
    void appendedLinesAreReadBackAndATornLastLineIsCutFromTheFile() throws IOException {
        Path file = dir.resolve("receipts.jsonl");
        DurableFiles.appendLine(file, "{\"n\":1}");
        DurableFiles.appendLine(file, "{\"n\":2}");
        Files.writeString(file, "{\"n\":3", java.nio.file.StandardOpenOption.APPEND); // a crash mid-append
        assertThat(DurableFiles.readCompleteLines(file)).containsExactly("{\"n\":1}", "{\"n\":2}");
        assertThat(file).hasContent("{\"n\":1}\n{\"n\":2}\n");
        DurableFiles.appendLine(file, "{\"n\":3}");
        assertThat(DurableFiles.readCompleteLines(file)).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
    }

    @Test
    void aMissingFileHasNoLinesAndAFileWithoutNewlineHasNoCompleteOne() throws IOException {
        assertThat(DurableFiles.readCompleteLines(dir.resolve("absent"))).isEmpty();
        Path torn = dir.resolve("torn");
        Files.writeString(torn, "no newline yet");
        assertThat(DurableFiles.readCompleteLines(torn)).isEmpty();
        assertThat(torn).isEmptyFile();
    }

    @Test
    @DisabledOnOs(OS.WINDOWS) // folders cannot be forced there, so failing to is not an error
    void forcingAFolderThatCannotBeForcedIsAnErrorTheCallerHears() throws IOException {
        assertThatCode(() -> DurableFiles.forceFolder(dir)).doesNotThrowAnyException();
        // The vault and the discard register must not acknowledge a file whose folder entry may be lost.
        assertThatThrownBy(() -> DurableFiles.forceFolder(dir.resolve("absent"))).isInstanceOf(NoSuchFileException.class);
    }
}
