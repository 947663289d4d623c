// Reads a SampleJob/AugmentJob output's Parquet shards with DuckDB, as a Python or Hugging Face user's tools would
// see them: the schema (image as a struct of bytes and path), the footer's "huggingface" features, and the rows;
// writes the first images' PNG bytes to OUT_DIR for PIL to decode (check.sh does).
//   node check.mjs OUTPUT_DIR OUT_DIR
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, writeFileSync } from 'node:fs';

const [output, outDir] = process.argv.slice(2);
const shards = `${output}/shards/*.parquet`;
const fail = (message) => { console.error(`check.mjs: ${message}`); process.exit(1); };
const connection = await (await DuckDBInstance.create(':memory:')).connect();
const rows = async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson();

const schema = await rows(`DESCRIBE SELECT * FROM read_parquet('${shards}')`);
const image = schema.find((c) => c.column_name === 'image');
if (!image || !/^STRUCT\(bytes BLOB, "?path"? VARCHAR\)$/.test(image.column_type)) {
  fail(`the image column is ${image ? image.column_type : 'missing'}, not STRUCT(bytes BLOB, path VARCHAR)`);
}
const metadata = await rows(`SELECT file_name, decode(key) AS key, decode(value) AS value
  FROM parquet_kv_metadata('${shards}') WHERE decode(key) = 'huggingface'`);
const files = await rows(`SELECT DISTINCT file_name FROM parquet_metadata('${shards}')`);
if (metadata.length !== files.length) fail(`${files.length} shards but ${metadata.length} with a huggingface key`);
for (const m of metadata) {
  const features = JSON.parse(m.value).info.features;
  if (features.image?._type !== 'Image') fail(`${m.file_name}: image is not an Image feature: ${m.value}`);
  const missing = schema.map((c) => c.column_name).filter((name) => !(name in features));
  if (missing.length) fail(`${m.file_name}: no feature for ${missing}`);
}
const [count] = await rows(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet('${shards}')`);
const [manifest] = await rows(`SELECT count(*) AS n FROM read_parquet('${output}/samples.parquet/*.parquet')`);
if (count.n !== count.ids || count.n !== manifest.n) {
  fail(`${count.n} rows, ${count.ids} ids, ${manifest.n} in samples.parquet`);
}
mkdirSync(outDir, { recursive: true });
const reader = await connection.runAndReadAll(`SELECT id, label, image.bytes AS png FROM read_parquet('${shards}')
  ORDER BY id LIMIT 8`);
for (const row of reader.getRowObjects()) {
  writeFileSync(`${outDir}/${row.id}.png`, Buffer.from(row.png.bytes));
}
console.log(`${count.n} images in ${files.length} shard(s); image STRUCT(bytes, path); huggingface features name it an Image`);
