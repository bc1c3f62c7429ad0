// A shared library without jflow's entry points: loading it as a plugin must fail clearly.
extern "C" int not_a_jflow_plugin() {
  return 42;
}
