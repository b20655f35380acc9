package render

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// Docker fills a new volume with the files the image has at the mount
// path (copy-up); a Kubernetes volume starts empty, which breaks images
// that ship defaults there. So a pod with such mounts starts with an init
// container that runs the plugin's copy-up (pkg/copyup) from the copy-up
// image, with each service image mounted read-only as an image volume
// beside the volumes: it fills each volume that is empty, and never again
// once it holds data. Nothing runs inside the service's image, so images
// without a shell are served too.

// DefaultCopyUpImage is the copy-up image on kind, which deploy makes
// from the plugin's own executable. Its tag is the copy-up protocol's
// version (the command line below), not the plugin's, so that rendered
// trees do not change with each release.
const DefaultCopyUpImage = "kubectl-stack/copy-up:1"

// copyUpContainer is the init container's name; copyUpDir is where it
// mounts the images and volumes.
const (
	copyUpContainer = "kubectl-stack-copy-up"
	copyUpDir       = "/kubectl-stack-copy-up"
)

// CopyUpImage is the deployment's copy-up image, "" when copy-up is off:
// the spec's copy-up-image ("none" turns it off), else on kind
// DefaultCopyUpImage.
func CopyUpImage(s *spec.Spec) string {
	switch {
	case s.CopyUpImage == "none":
		return ""
	case s.CopyUpImage != "":
		return s.CopyUpImage
	case s.DeployTo == spec.DeployToKind:
		return DefaultCopyUpImage
	}
	return ""
}

// copyUpMount is one volume mount docker would fill from the image.
type copyUpMount struct {
	image      string
	pullPolicy corev1.PullPolicy
	volume     string
	target     string
}

// copyUpMounts are the mounts of ctr (the container of svc) that docker
// fills when new: volumes of the mounts it copies up for (named and
// anonymous, not nocopy) that are claims, host paths or empty dirs here.
func copyUpMounts(f *compose.File, svc compose.Service, ctr corev1.Container, volumes map[string]corev1.Volume) []copyUpMount {
	var out []copyUpMount
	for _, v := range svc.Volumes {
		if !f.CopiesUp(v) {
			continue
		}
		for _, m := range ctr.VolumeMounts {
			vol, ok := volumes[m.Name]
			if m.MountPath != v.Target || !ok || m.SubPath != "" {
				continue
			}
			if vol.PersistentVolumeClaim != nil || vol.HostPath != nil || vol.EmptyDir != nil && vol.EmptyDir.Medium == "" {
				out = append(out, copyUpMount{image: ctr.Image, pullPolicy: ctr.ImagePullPolicy, volume: m.Name, target: v.Target})
			}
		}
	}
	return out
}

// copyUpInit is the init container that fills the mounts' volumes, with
// the image volumes it needs; none without mounts or a copy-up image.
// A volume several services mount is filled from the first, as docker
// fills it for the container that first mounts it.
func (r *renderer) copyUpInit(mounts []copyUpMount) (*corev1.Container, []corev1.Volume) {
	image := CopyUpImage(r.d.Spec)
	if image == "" || len(mounts) == 0 {
		return nil, nil
	}
	ctr := &corev1.Container{
		Name: copyUpContainer, Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
		Command: []string{"/kubectl-stack"}, Args: []string{"copy-up"},
		// As docker's copy-up, which keeps the image's owners.
		SecurityContext: &corev1.SecurityContext{RunAsUser: new(int64), RunAsGroup: new(int64)},
	}
	var volumes []corev1.Volume
	images, filled := map[string]string{}, map[string]bool{}
	for _, m := range mounts {
		if filled[m.volume] {
			continue
		}
		filled[m.volume] = true
		imageDir, ok := images[m.image]
		if !ok {
			name := fmt.Sprintf("copy-up-image-%d", len(images))
			imageDir = path.Join(copyUpDir, name)
			images[m.image] = imageDir
			volumes = append(volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: m.image, PullPolicy: m.pullPolicy}}})
			ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: imageDir, ReadOnly: true})
		}
		volumeDir := path.Join(copyUpDir, "volume-"+m.volume)
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: m.volume, MountPath: volumeDir})
		ctr.Args = append(ctr.Args, imageDir+":"+m.target+"="+volumeDir)
	}
	return ctr, volumes
}
