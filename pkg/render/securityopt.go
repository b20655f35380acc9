package render

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// securityOpts maps a service's security_opt onto its container's
// security context, and warns about each entry Kubernetes has no setting
// for (SELinux labels are the node's policy's; a seccomp or AppArmor
// profile by file path is the node's file). It reports whether it set
// anything.
func (r *renderer) securityOpts(c deployment.Compose, svc compose.Service, sc *corev1.SecurityContext) bool {
	set := false
	for _, opt := range svc.SecurityOpt {
		key, value, _ := strings.Cut(strings.Replace(opt, "=", ":", 1), ":")
		switch {
		case key == "no-new-privileges" && (value == "" || value == "true"):
			f := false
			sc.AllowPrivilegeEscalation, set = &f, true
		case key == "no-new-privileges" && value == "false":
		case key == "seccomp" && value == "unconfined":
			sc.SeccompProfile, set = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}, true
		case key == "apparmor" && value == "unconfined":
			sc.AppArmorProfile, set = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}, true
		default:
			r.warnf("%s: service %s: security_opt %q has no Kubernetes equivalent here and is ignored (no-new-privileges, seccomp:unconfined and apparmor:unconfined are mapped)", c.File.Path, c.File.ServiceName(svc.Name), opt)
		}
	}
	return set
}
