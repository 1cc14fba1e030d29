"""Material review (材料审查): copied text, unfilled placeholders and reused photos in what units
submit. The maths is Django-free in ``wenming.core.copycheck``; this app stores the reference
library and its fingerprints, and offers ``wenming report check``."""
