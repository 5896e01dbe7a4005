# templates: the template catalogue and the Handlebars-compatible renderer.
# libm for the colour contrast computation (context.c).
LIBS_templates := -lm
