package lifecycle

import "context"

// loadImages copies the images the local engine has into the kind nodes,
// so that locally built images run without a registry.
func loadImages(ctx context.Context, r *deployRun) error {
	if !r.kindWritable {
		return nil
	}
	images := r.req.Target.Images()
	if r.installsIngress() {
		images = append(images, r.ingressImage)
	}
	var err error
	r.res.Loaded, err = r.kind.loadImages(ctx, images)
	return err
}
