#include "nanoscape/core/mpi.hpp"

#include <chrono>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"

#ifdef NANOSCAPE_WITH_MPI
#include <mpi.h>
#endif

namespace nanoscape::mpi {

namespace {

int world_rank = 0;
int world_size = 1;
int local_size = 1;

#ifdef NANOSCAPE_WITH_MPI
bool active = false;  // MPI_Init was called (and MPI_Finalize not yet)

// Started by an MPI launcher: OpenMPI's mpirun, or a PMI/PMIx launcher (srun, hydra). A
// program started by hand in an MPI build then stays a plain process (no singleton MPI).
bool launched_by_mpi() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
        if (std::getenv(v) != nullptr) return true;
    return false;
}
#endif

}  // namespace

bool built_with_mpi() {
#ifdef NANOSCAPE_WITH_MPI
    return true;
#else
    return false;
#endif
}

void init(int& argc, char**& argv) {
#ifdef NANOSCAPE_WITH_MPI
    if (active || !launched_by_mpi()) return;
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    active = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world_rank, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &local_size);
    MPI_Comm_free(&node);
#else
    (void)argc;
    (void)argv;
#endif
}

void finalize() {
#ifdef NANOSCAPE_WITH_MPI
    if (!active) return;
    MPI_Finalize();
    active = false;
#endif
}

void abort(int code) {
#ifdef NANOSCAPE_WITH_MPI
    if (active && world_size > 1) MPI_Abort(MPI_COMM_WORLD, code);
#else
    (void)code;
#endif
}

int rank() { return world_rank; }
int size() { return world_size; }
int node_ranks() { return local_size; }

void send(int destination, int tag, const std::vector<std::uint8_t>& bytes, double timeout) {
#ifdef NANOSCAPE_WITH_MPI
    if (!active) throw Error("mpi::send without MPI");
    // Non-blocking, then polled: a message past the eager limit (a few kB on shared memory)
    // waits for the receiver, and a receiver that no longer answers must not hang the sender.
    MPI_Request request;
    MPI_Isend(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, destination, tag, MPI_COMM_WORLD, &request);
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto pause = std::chrono::microseconds(10);
    for (;;) {
        int done = 0;
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) return;
        if (timeout > 0 && std::chrono::duration<double>(Clock::now() - start).count() >= timeout)
            throw Error(fmt::format("rank {} of {} did not take a message for {:.0f} s: it is lost or hung, so the run "
                                    "stops (mpi timeout {} s, --mpi-timeout)",
                                    destination, world_size, timeout, timeout));
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(1000));
    }
#else
    (void)destination;
    (void)tag;
    (void)bytes;
    (void)timeout;
    throw Error("mpi::send in a build without MPI");
#endif
}

std::optional<Message> receive(int source, double timeout) {
#ifdef NANOSCAPE_WITH_MPI
    if (!active) throw Error("mpi::receive without MPI");
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    // Poll with a growing pause (10 us .. 1 ms): a quick answer is seen at once, and an idle
    // rank does not spin a core its neighbours' relaxations need.
    auto pause = std::chrono::microseconds(10);
    for (;;) {
        int flag = 0;
        MPI_Status status;
        MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
        if (flag) {
            int count = 0;
            MPI_Get_count(&status, MPI_BYTE, &count);
            Message m;
            m.source = status.MPI_SOURCE;
            m.tag = status.MPI_TAG;
            m.bytes.resize(static_cast<std::size_t>(count));
            MPI_Recv(m.bytes.data(), count, MPI_BYTE, m.source, m.tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            return m;
        }
        if (timeout > 0 && std::chrono::duration<double>(Clock::now() - start).count() >= timeout) return std::nullopt;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(1000));
    }
#else
    (void)source;
    (void)timeout;
    throw Error("mpi::receive in a build without MPI");
#endif
}

}  // namespace nanoscape::mpi
