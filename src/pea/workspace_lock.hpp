// An exclusive lock on one replica's workspace folder for as long as its pea has the executor
// open, so that two flows (or two runs) sharing a workspace cannot both load, change and save it:
// the later opener fails with a clear error instead of one run's state silently replacing the
// other's (issue 16, found 5).
#pragma once

#include <filesystem>

namespace jflow {

class WorkspaceLock {
 public:
  // Takes flock(LOCK_EX | LOCK_NB) on the file `folder` + ".lock" beside the folder (the folder
  // itself is the executor's to create), writing this process's id into it. Throws
  // std::runtime_error naming the folder and the holder's pid when another opener holds it.
  // Where no lock file can be created or opened, holds nothing (the executor reports the
  // workspace's problem itself).
  explicit WorkspaceLock(const std::filesystem::path& folder);
  ~WorkspaceLock();
  WorkspaceLock(const WorkspaceLock&) = delete;
  WorkspaceLock& operator=(const WorkspaceLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace jflow
