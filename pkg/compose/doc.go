// Package compose loads docker-compose files with compose-spec/compose-go
// (the only importer of that library) and answers what the rest of
// kubectl-stack asks of them: services, ports, named volumes and host binds.
package compose
