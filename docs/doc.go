// Package docs holds no library code: it is the module behind the user documentation in this
// folder, so that the documentation is checked by `go test` like the code it describes.
//
//   - Every ```go block in the Markdown files is a copy of a region of Go source in this module
//     marked with `// snippet:NAME` … `// endsnippet`; TestSnippets fails when a block and its
//     region differ, or when a block is not marked (`go test -run TestSnippets -update` rewrites
//     the blocks from the regions).
//   - The getting-started programs are real programs (snippets/<framework>), and their tests
//     start them in-process and call them over HTTP.
//   - The other regions sit in Example functions, whose output `go test` checks.
//   - openapi.yaml is loaded, checked for well-formedness, and every response it documents is
//     compared with a real answer of an in-process server (TestOpenAPI).
//
// The module is called docs and lives in the folder docs/, next to the Markdown it tests.
package docs
