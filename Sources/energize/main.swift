import EnergizeCLI
import MongoSource
#if canImport(Glibc)
import CMalloc
import Glibc

// glibc gives each thread that allocates its own malloc arena (up to 8 per core), and every arena
// keeps freed batches as resident, fragmented memory. An extract-load runs a reader, a decoder and
// a loader per stream, so capping the arenas at two keeps its peak memory down (measured: 70 →
// 63 MB for the bench's 613,000 documents, same wall time). A MALLOC_ARENA_MAX the user set wins.
if getenv("MALLOC_ARENA_MAX") == nil {
    _ = mallopt(M_ARENA_MAX, 2)
}
#endif

// libmongoc is set up before any thread starts (it writes the environment; see MongoRuntime).
MongoRuntime.ensureInitialized()
await EnergizeCommand.runFromCommandLine()
