// Package stack locates a stack (a directory with stack.yml in laconic-so's
// external layout, or a plain compose file) and resolves its pods and jobs to
// compose files.
package stack
