# newminor: claims a newer SDK minor than the core has (refused).
