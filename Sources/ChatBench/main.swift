// chatty-bench: an IRC load generator for Chatty, ngircd, InspIRCd or any other IRC server.
// See docs/BENCHMARKS.md and scripts/bench-compare.
ChattyBench.main()
