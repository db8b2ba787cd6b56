# Writes OUT: each built-in template's CSV (DIR/ID.csv for ID in IDS) as a C byte array.
file(WRITE ${OUT} "/* Generated from the CSV files in server/templates by embed.cmake: do not edit. */\n"
                  "#include <stddef.h>\n")
foreach(id ${IDS})
  file(READ ${DIR}/${id}.csv hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  file(APPEND ${OUT}
    "extern const unsigned char templates_csv_${id}[];\n"
    "extern const size_t templates_csv_${id}_len;\n"
    "const unsigned char templates_csv_${id}[] = { ${bytes} };\n"
    "const size_t templates_csv_${id}_len = sizeof(templates_csv_${id});\n")
endforeach()
