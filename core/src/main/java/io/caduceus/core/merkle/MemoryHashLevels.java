package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;
import java.util.ArrayList;
import java.util.List;

/** Levels held on the heap: for tests, tools and small logs. About 64 bytes of hashes per leaf. */
final class MemoryHashLevels implements HashLevels {

    private final List<List<Digest>> levels = new ArrayList<>();

    @Override
    public long count(int level) {
        return level < levels.size() ? levels.get(level).size() : 0;
    }

    @Override
    public Digest get(int level, long index) {
        return levels.get(level).get(Math.toIntExact(index));
    }

    @Override
    public void append(int level, Digest hash) {
        while (levels.size() <= level) {
            levels.add(new ArrayList<>());
        }
        levels.get(level).add(hash);
    }

    @Override
    public void checkpoint(TreeHead head) {
        // Nothing to make durable.
    }

    @Override
    public void close() {
        levels.clear();
    }
}
