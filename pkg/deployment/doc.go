// Package deployment creates, updates and loads deployment directories: the
// directory a spec and a stack are turned into by "kubectl stack create",
// in laconic-so's on-disk format (laconic-so.md §3.3).
package deployment
