// Package podio reads and talks to a deployment's running containers: logs
// of every pod and container, prefixed and followed concurrently, and exec
// through the API server. It is the only user of client-go's log streams
// and remotecommand.
package podio
