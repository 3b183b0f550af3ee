#pragma once
/// @file The MPI world of the process (OpenMPI from Debian, `-DNANOSCAPE_MPI=ON`), or a world
/// of one rank: in a build without MPI, and in an MPI build not started by mpirun/srun, every
/// function here behaves as for a single process, so callers need no #ifdef.
///
/// Messages are byte strings with a tag, sent point to point in MPI_COMM_WORLD. Receives poll
/// (MPI_Iprobe) against a deadline instead of blocking, so a rank that stops answering ends the
/// run with a message instead of a hang (docs/scale.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nanoscape::mpi {

/// True in a build with MPI (-DNANOSCAPE_MPI=ON).
[[nodiscard]] bool built_with_mpi();

/// Initialises MPI (thread level funneled: only the main thread calls MPI) if the process was
/// started by an MPI launcher (mpirun, srun); otherwise nothing. Call once, first in main().
void init(int& argc, char**& argv);
/// Ends MPI after a normal exit of every rank (collective; nothing without MPI).
void finalize();
/// Ends every rank at once with `code` (a rank's failure or an interrupt must not leave the
/// others waiting); returns only without MPI.
void abort(int code);

/// This process's rank (0 without MPI).
[[nodiscard]] int rank();
/// The number of ranks (1 without MPI).
[[nodiscard]] int size();
/// The number of ranks on this node (MPI_COMM_TYPE_SHARED; 1 without MPI): a rank's default
/// thread count is the node's cores divided by it.
[[nodiscard]] int node_ranks();

/// A message received.
struct Message {
    int source = 0;           ///< rank it came from
    int tag = 0;              ///< its tag
    std::vector<std::uint8_t> bytes;  ///< its content
};

/// Sends `bytes` to rank `destination` with `tag`; returns when the message is on its way (the
/// buffer may be reused). A large message waits for the receiver to take it: Error naming the
/// rank if it has not after `timeout` seconds (<= 0: no limit).
void send(int destination, int tag, const std::vector<std::uint8_t>& bytes, double timeout = 0);
/// The next message from `source` (-1: any rank), waiting at most `timeout` seconds (<= 0:
/// no limit); empty if none came in time.
[[nodiscard]] std::optional<Message> receive(int source, double timeout);

}  // namespace nanoscape::mpi
