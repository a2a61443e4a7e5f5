using System.CommandLine;
using LsLab.Distillation;
using LsLab.Models;
using LsLab.Native;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Cli.Commands;

/// <summary>`lslab distill`: train a student from a finished teacher run (knowledge distillation).</summary>
public static class DistillCommand
{
    public static Command Build()
    {
        var models = string.Join(", ", ModelRegistry.List().Select(m => m.Name));
        var teacher = new Option<string>("--teacher", "-t") { Description = "Finished teacher run folder (made by `lslab train`).", Required = true };
        var studentModel = new Option<string>("--student-model", "-m") { Description = $"Student model: {models}.", DefaultValueFactory = _ => "mlp-small" };
        var temperature = new Option<double>("--temperature", "-T") { Description = "Teacher softmax temperature T (> 0).", DefaultValueFactory = _ => 4.0 };
        var beta = new Option<double>("--beta", "-b") { Description = "Weight β of the teacher term: (1−β)·CE(labels) + β·soft. β=1 ignores the labels.", DefaultValueFactory = _ => 0.9 };
        var soft = new Option<SoftTerm>("--soft") { Description = "Soft term: Hinton = T²·KL(p_t(T)‖p_s(T)); Paper = KL(p_t(T)‖p_s(1)) (the paper's CIFAR students); Logits = ½·mean_k (z_s−z_t)² (the paper's MNIST student).", DefaultValueFactory = _ => SoftTerm.Hinton };
        var shared = new TrainOptionSet();

        var cmd = new Command("distill",
            "Train a student from a teacher run: (1−β)·CE(labels) + β·soft term. Teacher logits are computed once over the " +
            "un-augmented training set (teacher in eval mode). Writes a normal run folder plus distill.json (teacher, T, β, equivalent smoothing γ).")
        {
            teacher, studentModel, temperature, beta, soft,
        };
        shared.AddTo(cmd);
        cmd.WithExamples(
            "lslab train --model mlp --epochs 10 --augment --out runs/teacher",
            "lslab distill --teacher runs/teacher --student-model mlp-small --temperature 4 --beta 0.9 --epochs 10 --out runs/student",
            "lslab distill --teacher runs/teacher --student-model mlp-small --soft Logits --beta 0.6 --out runs/student-mnist   # the paper's MNIST recipe",
            "lslab evaluate --run runs/student");
        cmd.SetAction(p =>
        {
            shared.InitializeEngine(p);
            var teacherRun = new RunFolder(OptionChecks.InDir(p.GetValue(teacher)!, "--teacher"));
            var t = teacherRun.ReadConfig();
            if (!File.Exists(teacherRun.ModelPath))
                throw new LsLabException($"{teacherRun.Path}: the teacher run has not finished (no model.dat). Finish it with `lslab train --resume --out {teacherRun.Path}`.");
            var spec = new DistillationSpec(teacherRun.Path, p.GetValue(temperature), p.GetValue(beta), p.GetValue(soft)).Validate();
            // A student follows its teacher's data, split and seed unless told otherwise.
            var o = shared.Read(p, p.GetValue(studentModel)!, 0, t);
            OptionChecks.SameDataSet(t.Dataset, o.Dataset, teacherRun.Path);

            string dir = p.GetValue(shared.Out)!;
            var run = new RunFolder(dir);
            TrainOptionSet.RequireNewOrResume(dir, p.GetValue(shared.Resume));
            bool exists = Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any();
            if (exists && DistillationRecord.Load(run) is { } saved &&
                (saved.TeacherRun != spec.TeacherRun || saved.Temperature != spec.Temperature || saved.Beta != spec.Beta || saved.Soft != spec.Soft))
                throw new LsLabException($"{run.Combine(DistillationRecord.FileName)}: this folder was distilled from {saved.Description}; " +
                                         $"requested {spec.Describe()}. Use another --out folder.");
            run.EnsureCompatible(o);

            using var data = TrainingRun.LoadData(o);
            using var objective = new DistillationObjective(spec);
            Console.WriteLine($"data: {data.Train.Name} from {data.Train.Source}: {data.Train.Count} train / {data.Validation.Count} validation / {data.Test.Count} test");
            objective.BindTrainSet(data.Train);
            var teacherScore = Evaluator.Score(objective.TeacherLogits!, data.Train.Labels);
            Console.WriteLine($"teacher: {t.Model} α={t.Alpha} from {teacherRun.Path}: train accuracy {teacherScore.Accuracy:P2}; " +
                              $"equivalent smoothing γ at T={spec.Temperature}: {objective.EquivalentSmoothing:F4}");
            if (o.Augment)
                Console.WriteLine("note: --augment is on: the student sees augmented images but matches the teacher's logits of the un-augmented ones.");
            Directory.CreateDirectory(run.Path);
            DistillationRecord.For(objective).Save(run);
            var state = TrainingRun.Execute(o, dir, ConsoleProgress.Create(p.GetValue(shared.Quiet)), objective, data: data);
            var last = state.History[^1];
            Console.WriteLine($"done: {state.EpochsDone} epochs in {state.TotalSeconds:F0}s; validation accuracy {last.ValidationAccuracy:P2}, NLL {last.ValidationLoss:F4}. Run folder: {run.Path}");
            Console.WriteLine($"next: lslab evaluate --run {dir}");
            return 0;
        });
        return cmd;
    }
}
