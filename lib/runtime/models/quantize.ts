/**
 * Symmetric int8 quantization of a [rows, columns] float matrix (row-major), one scale per column:
 * value ~= q * scale with q in [-127, 127] and zero point 0. Per column (one output feature of a
 * linear layer each) keeps a column with small weights from being rounded away by a large one
 * elsewhere; -128 is left out so the range is symmetric (as onnxruntime's quantize_dynamic does).
 */
export function quantizePerColumn(matrix: Float32Array, rows: number, columns: number): { values: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) scales[c] = Math.max(scales[c], Math.abs(matrix[r * columns + c]));
  }
  for (let c = 0; c < columns; c++) scales[c] = scales[c] / 127 || 1;
  const values = new Int8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) values[r * columns + c] = Math.round(matrix[r * columns + c] / scales[c]);
  }
  return { values, scales };
}
