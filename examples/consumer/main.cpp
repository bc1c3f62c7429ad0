// A tiny application built against an installed jflow: an AsyncFlow of one pass-through pod run
// inside the application's own epoll loop, indexing three lines. Exits 0 when every document came
// back.
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>
#include <jflow/async_flow.hpp>
#include <jflow/reactor/epoll.hpp>

int main() {
  jflow::AsyncFlow flow(jflow::FlowBuilder().add("pass").build());
  int loop = epoll_create1(EPOLL_CLOEXEC);
  jflow::reactor::EpollAttachment attached(loop, flow);

  std::size_t docs = 0;
  bool done = false;
  flow.start_async([&](const std::optional<jflow::FlowError>& error) {
    if (error) {
      std::fprintf(stderr, "start failed: %s\n", error->what());
      done = true;
      return;
    }
    jflow::RequestOptions options;
    options.request_size = 2;
    options.on_done = [&](const jflow::Response& r) { docs += r.request.docs.size(); };
    options.on_finished = [&] { flow.close_async([&] { done = true; }); };
    flow.index_lines(std::vector<std::string>{"one", "two", "three"}, options);
  });
  while (!done) {
    epoll_event events[4];
    int n = epoll_wait(loop, events, 4, -1);
    for (int i = 0; i < n; ++i)
      if (attached.owns(events[i])) attached.on_ready();
  }
  ::close(loop);
  std::printf("consumer: %zu of 3 documents indexed\n", docs);
  return docs == 3 ? 0 : 1;
}
