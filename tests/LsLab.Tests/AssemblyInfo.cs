// libtorch's default random generator is process-global: tests that seed it (determinism, resume)
// would race with any other test drawing from it, so test classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
